/** Experiments as text for the terminal (`reco experiment list|show|results`). */
import type { ExperimentRecord } from '../store/experiments.js';
import type { Estimate, ExperimentResults, Lift } from './results.js';
import type { SampleSize } from './sample-size.js';

const iso = (t: number | null) =>
  t === null ? '-' : new Date(t).toISOString().slice(0, 19).replace('T', ' ');
const pct = (x: number, d = 2) => `${(x * 100).toFixed(d)}%`;
const num = (x: number, d = 4) => x.toFixed(d);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) =>
      r
        .map((x, c) => x.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function variantText(e: ExperimentRecord): string {
  return e.variants
    .map((v) => `${v.name}=${v.strategy ?? `bundle:${v.bundle}`} (${pct(v.weight, 0)})`)
    .join(', ');
}

export function formatExperimentList(list: readonly ExperimentRecord[]): string {
  if (list.length === 0) return 'no experiments (reco experiment create makes one)';
  return table([
    ['id', 'name', 'status', 'started', 'variants'],
    ...list.map((e) => [e.id, e.name, e.status, iso(e.startedAt), variantText(e)]),
  ]);
}

export function formatExperiment(e: ExperimentRecord): string {
  return [
    `${e.id}  ${e.name}  (${e.status})`,
    `variants: ${variantText(e)}; the first is the control`,
    `seed: ${e.seed}; coverage ${pct(e.coverage, 0)}; attribution window ${e.attributionHours} h`,
    `created ${iso(e.createdAt)}, started ${iso(e.startedAt)}, stopped ${iso(e.stoppedAt)} (UTC)`,
  ].join('\n');
}

const ci = (x: Estimate | Lift, f: (v: number) => string) => `${f(x.value)} [${f(x.ci[0])}, ${f(x.ci[1])}]`;

export function formatResults(r: ExperimentResults): string {
  const rows = [
    ['variant', 'users', 'exposures', 'clicks', 'CTR [95% CI]', 'lift [95% CI]', 'p', 'sequential CI'],
  ];
  for (const v of r.variants) {
    const l = v.lift;
    rows.push([
      v.name,
      String(v.users),
      String(v.exposures),
      String(v.clicks),
      ci(v.ctr, (x) => pct(x)),
      l ? (l.error ? l.error : ci(l, (x) => pct(x, 1))) : 'control',
      l && !l.error ? num(l.p) : '',
      l && !l.error ? `[${pct(l.sequentialCi[0], 1)}, ${pct(l.sequentialCi[1], 1)}]` : '',
    ]);
  }
  const out = [`${r.experiment.id}  ${r.experiment.name}  (${r.experiment.status})`, table(rows)];
  out.push(
    `sample ratio mismatch: p = ${num(r.srm.p)}${r.srm.flagged ? '  FLAGGED (below 0.001: check the assignment and the exposure log)' : ''}`,
  );
  const g = r.guardrails;
  out.push(
    `guardrails: ${r.variants
      .map(
        (v, j) =>
          `${v.name}: latency p99 ${g.latencyP99Ms[j]!.toFixed(1)} ms, empty lists ${pct(g.emptyRate[j]!, 1)}, coverage ${pct(g.coverage[j]!, 1)}`,
      )
      .join('; ')}`,
  );
  for (const v of r.variants) {
    if (v.cuped)
      out.push(
        `${v.name}, clicks per user: lift ${ci(v.cuped.unadjusted, (x) => pct(x, 1))}; with CUPED (theta ${num(v.cuped.theta ?? 0)}) ${ci(v.cuped.lift, (x) => pct(x, 1))}`,
      );
    const il = v.interleaving;
    if (il)
      out.push(
        `${v.name}, interleaving: ${il.rankers[0]} preferred by ${il.preferA} users, ${il.rankers[1]} by ${il.preferB} (${pct(il.shareB, 1)}), ${il.ties} ties; sign test p = ${num(il.p)}; credited clicks ${il.rankers[0]} minus ${il.rankers[1]} ${num(il.meanDifference)} a user, t-test p = ${num(il.pDifference)}`,
      );
  }
  return out.join('\n');
}

export function formatSampleSize(s: SampleSize, lift: number): string {
  return `${s.perVariant.toLocaleString('en-US')} users (or exposures) per variant to tell ${s.baseline} from ${Number(s.treatment.toPrecision(6))} (${lift >= 0 ? '+' : ''}${pct(lift, 1)}) at alpha ${s.alpha} with power ${s.power}`;
}

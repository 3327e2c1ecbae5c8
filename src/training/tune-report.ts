/** What `reco train`'s tuning (./tune.ts) chose and tried: kept in the bundle's manifest and the run. */

/** One value tried. */
export interface TuneTrial {
  value: number | string;
  ndcg: number;
  seconds: number;
}

/** One parameter's choice: `target` is `<model>.<param>` or `weights.<event type>`. */
export interface TuneChoice {
  target: string;
  default: number | string;
  chosen: number | string;
  /** Validation NDCG@10 of the chosen value and of the default. */
  ndcg: number;
  defaultNdcg: number;
  trials: TuneTrial[];
  /** Values left untried because the budget was spent. */
  skipped: number;
}

export interface TuneReport {
  split: string;
  users: number;
  budgetSeconds: number;
  seconds: number;
  choices: TuneChoice[];
}

/** A value as printed (numbers with at most 4 significant digits). */
function shown(v: number | string): string {
  return typeof v === 'number' ? String(Number(v.toPrecision(4))) : v;
}

/**
 * The tuning as a short table (one line per parameter: default, chosen, validation NDCG@10 of each);
 * `verbose` adds every trial under its parameter.
 */
export function formatTuning(r: TuneReport, verbose = false): string[] {
  const lines = [
    `tuned in ${r.seconds.toFixed(1)} s (budget ${r.budgetSeconds} s), NDCG@10 on ${r.users} held-out users (${r.split}):`,
  ];
  const rows = [['parameter', 'default', 'chosen', 'NDCG@10 chosen', 'default']];
  const ndcg = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : '-');
  for (const c of r.choices)
    rows.push([
      c.target,
      shown(c.default),
      `${shown(c.chosen)}${c.skipped > 0 ? ` (${c.skipped} untried: budget)` : ''}`,
      ndcg(c.ndcg),
      ndcg(c.defaultNdcg),
    ]);
  const width = rows[0]!.map((_, j) => Math.max(...rows.map((row) => row[j]!.length)));
  for (const row of rows)
    lines.push(
      row
        .map((cell, j) => cell.padEnd(width[j]!))
        .join('  ')
        .trimEnd(),
    );
  if (verbose)
    for (const c of r.choices)
      if (c.trials.length > 0)
        lines.push(
          `  ${c.target}: ${c.trials.map((t) => `${shown(t.value)} ${t.ndcg.toFixed(4)} (${t.seconds.toFixed(1)} s)`).join(', ')}`,
        );
  return lines;
}

/**
 * The operators' Experiments page: every experiment with Stop, a form to create one (control and
 * treatment, each a strategy, interleave:A,B or bundle:VERSION), and one experiment's results: per variant
 * users, exposures, clicks, CTR and lift with their intervals, SRM, guardrails, interleaving, and the
 * lift's intervals over time as a chart (uPlot, ../static/app.js).
 */
import type { ExperimentResults } from '../../experiments/results.js';
import type { ExperimentRecord } from '../../store/experiments.js';
import type { AdminBase } from './admin.js';
import { Chart } from './charts.js';
import { Csrf, FormError, Layout } from './layout.js';

const when = (t: number | null) =>
  t === null ? '–' : new Date(t).toISOString().slice(0, 16).replace('T', ' ');
/** When an experiment ran, as far as it did: "not started", "since X" or "X to Y" (never "stopped –"). */
export function period(e: Pick<ExperimentRecord, 'startedAt' | 'stoppedAt'>): string {
  if (e.startedAt === null) return 'not started';
  if (e.stoppedAt === null) return `since ${when(e.startedAt)}`;
  return `${when(e.startedAt)} to ${when(e.stoppedAt)}`;
}
const pct = (x: number, d = 2) => `${(x * 100).toFixed(d)}%`;
const range = (ci: readonly number[], d = 1) => `[${pct(ci[0]!, d)}, ${pct(ci[1]!, d)}]`;

function variantText(e: ExperimentRecord): string {
  return e.variants
    .map((v) => `${v.name}: ${v.strategy ?? `bundle ${v.bundle}`} (${pct(v.weight, 0)})`)
    .join(' · ');
}

function StopButton({ e, csrf }: { e: ExperimentRecord; csrf: string }) {
  if (e.status === 'stopped') return null;
  return (
    <form method="post" action={`/admin/experiments/${encodeURIComponent(e.id)}/stop`}>
      <Csrf token={csrf} />
      <button type="submit" class="danger small" data-testid={`stop-${e.id}`}>
        Stop
      </button>
    </form>
  );
}

export interface CreateValues {
  name?: string;
  control?: string;
  treatment?: string;
  weight?: string;
  hours?: string;
}

export function ExperimentsPage(
  p: AdminBase & { experiments: ExperimentRecord[]; error?: string | undefined; values?: CreateValues },
) {
  const v = p.values ?? {};
  return (
    <Layout title="Experiments" account={p.account} csrf={p.csrf} path="/admin/experiments">
      <h1>Experiments</h1>
      <p class="muted small">
        Users are assigned by GrowthBook's hash of the experiment's seed and their id; a request that names no
        strategy is served by its user's variant. See docs/experiments.md.
      </p>
      <table class="data" id="experiments">
        <thead>
          <tr>
            <th scope="col">experiment</th>
            <th scope="col">status</th>
            <th scope="col">variants</th>
            <th scope="col">period</th>
            <th scope="col"></th>
          </tr>
        </thead>
        <tbody>
          {p.experiments.map((e) => (
            <tr data-experiment={e.id}>
              <td>
                <a href={`/admin/experiments/${encodeURIComponent(e.id)}`}>{e.name}</a>
                <div class="muted small">{e.id}</div>
              </td>
              <td data-status>{e.status}</td>
              <td>{variantText(e)}</td>
              <td data-period>{period(e)}</td>
              <td>
                <StopButton e={e} csrf={p.csrf} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {p.experiments.length === 0 ? <p class="muted">No experiment yet.</p> : null}
      <h2>New experiment</h2>
      <FormError message={p.error} />
      <form method="post" action="/admin/experiments" class="stack narrow" id="create-experiment">
        <Csrf token={p.csrf} />
        <label for="name">Name</label>
        <input id="name" name="name" required maxlength={200} value={v.name ?? ''} />
        <label for="control">Control (a strategy, or bundle:VERSION)</label>
        <input id="control" name="control" required maxlength={200} value={v.control ?? 'popularity'} />
        <label for="treatment">Treatment (a strategy, interleave:A,B, or bundle:VERSION)</label>
        <input id="treatment" name="treatment" required maxlength={200} value={v.treatment ?? 'ranked'} />
        <label for="weight">Treatment's share of users</label>
        <input id="weight" name="weight" inputmode="decimal" value={v.weight ?? '0.5'} />
        <label for="hours">Attribution window (hours)</label>
        <input id="hours" name="hours" inputmode="decimal" value={v.hours ?? '24'} />
        <button type="submit" class="primary">
          Start experiment
        </button>
      </form>
    </Layout>
  );
}

export function ExperimentPage(p: AdminBase & { results: ExperimentResults }) {
  const r = p.results;
  const e = r.experiment;
  const g = r.guardrails;
  const id = encodeURIComponent(e.id);
  return (
    <Layout title={e.name} account={p.account} csrf={p.csrf} path="/admin/experiments/x" charts>
      <h1>
        {e.name} <span class="muted small">{e.id}</span>
      </h1>
      <p>
        <span data-status>{e.status}</span> · <span data-period>{period(e)}</span> · attribution window{' '}
        {e.attributionHours} h
      </p>
      <StopButton e={e} csrf={p.csrf} />
      <table class="data" id="results">
        <caption>Per variant (the first is the control); 95% intervals</caption>
        <thead>
          <tr>
            <th scope="col">variant</th>
            <th scope="col">serves</th>
            <th scope="col">users</th>
            <th scope="col">exposures</th>
            <th scope="col">clicks</th>
            <th scope="col">CTR</th>
            <th scope="col">lift of CTR</th>
            <th scope="col">p</th>
            <th scope="col">always-valid interval</th>
          </tr>
        </thead>
        <tbody>
          {r.variants.map((v) => (
            <tr data-variant={v.name}>
              <th scope="row">{v.name}</th>
              <td>{v.strategy ?? `bundle ${v.bundle}`}</td>
              <td data-users>{v.users}</td>
              <td>{v.exposures}</td>
              <td data-clicks>{v.clicks}</td>
              <td>
                {pct(v.ctr.value)} {range(v.ctr.ci, 2)}
              </td>
              <td data-lift>
                {v.lift
                  ? v.lift.error
                    ? 'not enough data'
                    : `${pct(v.lift.value, 1)} ${range(v.lift.ci)}`
                  : 'control'}
              </td>
              <td>{v.lift && !v.lift.error ? v.lift.p.toFixed(4) : ''}</td>
              <td>{v.lift && !v.lift.error ? range(v.lift.sequentialCi) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p data-srm class={r.srm.flagged ? 'error' : 'muted'}>
        Sample ratio mismatch: p = {r.srm.p.toFixed(4)}
        {r.srm.flagged ? ' — flagged (below 0.001): check the assignment and the exposure log' : ''}
      </p>
      <h2>Guardrails</h2>
      <table class="data">
        <thead>
          <tr>
            <th scope="col">variant</th>
            <th scope="col">latency p99</th>
            <th scope="col">empty lists</th>
            <th scope="col">catalogue coverage</th>
          </tr>
        </thead>
        <tbody>
          {r.variants.map((v, j) => (
            <tr>
              <th scope="row">{v.name}</th>
              <td>{g.latencyP99Ms[j]!.toFixed(1)} ms</td>
              <td>{pct(g.emptyRate[j]!, 1)}</td>
              <td>{pct(g.coverage[j]!, 1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {r.variants
        .filter((v) => v.interleaving)
        .map((v) => {
          const il = v.interleaving!;
          return (
            <p data-interleaving={v.name}>
              Interleaving ({v.name}): {il.rankers[0]} preferred by {il.preferA} users, {il.rankers[1]} by{' '}
              {il.preferB} ({pct(il.shareB, 1)} of those with a preference), {il.ties} ties; sign test p ={' '}
              {il.p.toFixed(4)}; credited clicks {il.rankers[0]} minus {il.rankers[1]}{' '}
              {il.meanDifference.toFixed(3)} a user, t-test p = {il.pDifference.toFixed(4)}.
            </p>
          );
        })}
      <div class="grid2">
        <Chart
          src={`/admin/api/experiments/${id}/lift.json`}
          refresh={30}
          label="Lift of CTR over time: estimate, 95% interval and always-valid interval"
        />
        <Chart src={`/admin/api/experiments/${id}/ctr.json`} refresh={30} label="CTR per variant over time" />
      </div>
    </Layout>
  );
}

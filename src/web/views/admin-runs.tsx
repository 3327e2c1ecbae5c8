/**
 * The operators' Runs pages: the tracked runs (train, evaluate, retrain, loop, study) with a filter by
 * kind, one run (params, tags, metrics, artifacts, its curves as charts), and a comparison of selected
 * runs (the parameters that differ, every metric side by side, each curve of theirs as one chart).
 * Everything shown is text rendered by Preact (escaped); charts load their JSON (../routes/admin-runs.tsx).
 */
import { RUN_KINDS, type RunInfo, type RunKind } from '../../store/store.js';
import { formatValue } from '../../tracking/run-report.js';
import type { CompareData, RunPageData } from '../runs-data.js';
import type { AdminBase } from './admin.js';
import { Chart } from './charts.js';
import { Layout } from './layout.js';

const time = (ms: number | null) =>
  ms === null
    ? '–'
    : new Date(ms)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z');
const duration = (r: RunInfo) =>
  r.endTime === null ? '–' : `${((r.endTime - r.startTime) / 1000).toFixed(1)} s`;
const seriesUrl = (ids: string[], key: string) =>
  `/admin/api/runs/series.json?${[...ids.map((id) => `id=${encodeURIComponent(id)}`), `key=${encodeURIComponent(key)}`].join('&')}`;

/** The list's table (swapped in place when the kind filter changes). */
export function RunsList({ runs, kind }: { runs: RunInfo[]; kind: RunKind | undefined }) {
  return (
    <div id="runs-list">
      {runs.length === 0 ? (
        <p class="muted">No runs{kind ? ` of kind ${kind}` : ''} yet.</p>
      ) : (
        <table class="data" data-kind={kind ?? ''}>
          <caption>
            {runs.length} run{runs.length === 1 ? '' : 's'}
            {kind ? ` of kind ${kind}` : ''}, newest first
          </caption>
          <thead>
            <tr>
              <th scope="col">compare</th>
              <th scope="col">name</th>
              <th scope="col">kind</th>
              <th scope="col">status</th>
              <th scope="col">started</th>
              <th scope="col">duration</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr data-run={r.id} data-kind={r.kind}>
                <td>
                  <input type="checkbox" name="id" value={r.id} aria-label={`compare ${r.name}`} />
                </td>
                <th scope="row">
                  <a href={`/admin/runs/${r.id}`}>{r.name}</a>
                </th>
                <td>{r.kind}</td>
                <td class={r.status === 'FAILED' ? 'error' : undefined}>{r.status}</td>
                <td>{time(r.startTime)}</td>
                <td>{duration(r)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function RunsPage(p: AdminBase & { runs: RunInfo[]; kind: RunKind | undefined }) {
  return (
    <Layout title="Runs" account={p.account} csrf={p.csrf} path="/admin/runs">
      <h1>Runs</h1>
      <p class="muted small">
        Every training, evaluation, server retraining and study cell, as recorded in the store (also{' '}
        <code>reco runs list</code>).
      </p>
      <form method="get" action="/admin/runs" class="search" id="runs-filter">
        <label for="kind">Kind</label>
        <select
          id="kind"
          name="kind"
          hx-get="/admin/partials/runs"
          hx-target="#runs-list"
          hx-swap="outerHTML"
          hx-trigger="change"
          hx-push-url="false"
        >
          <option value="" selected={p.kind === undefined}>
            all
          </option>
          {RUN_KINDS.map((k) => (
            <option value={k} selected={p.kind === k}>
              {k}
            </option>
          ))}
        </select>
        <button type="submit">Filter</button>
      </form>
      <form method="get" action="/admin/runs/compare" id="runs-compare">
        <RunsList runs={p.runs} kind={p.kind} />
        <div class="actions">
          <button type="submit" class="primary">
            Compare selected
          </button>
        </div>
      </form>
    </Layout>
  );
}

function Entries({ title, entries }: { title: string; entries: { key: string; value: string }[] }) {
  return (
    <table class="data" data-table={title}>
      <caption>{title}</caption>
      <thead>
        <tr>
          <th scope="col">key</th>
          <th scope="col">value</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e) => (
          <tr>
            <th scope="row">{e.key}</th>
            <td>{e.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RunPage(p: AdminBase & RunPageData) {
  const r = p.run;
  return (
    <Layout title={`Run ${r.name}`} account={p.account} csrf={p.csrf} path="/admin/runs" charts>
      <h1>Run {r.name}</h1>
      <p data-run={r.id}>
        <code>{r.id}</code> · {r.kind} ·{' '}
        <span class={r.status === 'FAILED' ? 'error' : undefined}>{r.status}</span> · started{' '}
        {time(r.startTime)} · ended {time(r.endTime)} ({duration(r)})
      </p>
      {r.error !== undefined ? <p class="error">{r.error}</p> : null}
      {p.curveKeys.length > 0 ? (
        <div class="grid2">
          {p.curveKeys.map((key) => (
            <Chart src={seriesUrl([r.id], key)} label={`${key} by step`} />
          ))}
        </div>
      ) : null}
      <table class="data" data-table="metrics">
        <caption>Metrics (latest value)</caption>
        <thead>
          <tr>
            <th scope="col">metric</th>
            <th scope="col">value</th>
            <th scope="col">step</th>
          </tr>
        </thead>
        <tbody>
          {r.metrics.map((m) => (
            <tr>
              <th scope="row">{m.key}</th>
              <td>{formatValue(m.value)}</td>
              <td>{m.step}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Entries title="Parameters" entries={r.params} />
      <Entries title="Tags" entries={r.tags} />
      <p class="small">
        Artifacts:{' '}
        {r.artifacts.length === 0
          ? 'none'
          : r.artifacts
              .map((a) => `${a.path} (${a.content.length.toLocaleString('en-US')} bytes)`)
              .join(', ')}
      </p>
      <p>
        <a href="/admin/runs">All runs</a>
      </p>
    </Layout>
  );
}

export function ComparePage(p: AdminBase & CompareData) {
  const { runs, params, metrics } = p.comparison;
  const ids = runs.map((r) => r.id);
  const head = (
    <tr>
      <th scope="col"></th>
      {runs.map((r) => (
        <th scope="col">
          <a href={`/admin/runs/${r.id}`}>{r.name}</a>
        </th>
      ))}
    </tr>
  );
  return (
    <Layout title="Compare runs" account={p.account} csrf={p.csrf} path="/admin/runs" charts>
      <h1>Compare {runs.length} runs</h1>
      <table class="data" data-table="differ">
        <caption>
          {params.length === 0 ? 'Parameters: all the same' : `Parameters that differ (${params.length})`}
        </caption>
        <thead>{head}</thead>
        <tbody>
          {runs.some((r) => r.kind !== runs[0]!.kind) ? (
            <tr data-param="kind">
              <th scope="row">kind</th>
              {runs.map((r) => (
                <td>{r.kind}</td>
              ))}
            </tr>
          ) : null}
          {params.map((row) => (
            <tr data-param={row.key}>
              <th scope="row">{row.key}</th>
              {row.values.map((v) => (
                <td>{v ?? '–'}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {p.curveKeys.length > 0 ? (
        <div class="grid2">
          {p.curveKeys.map((key) => (
            <Chart src={seriesUrl(ids, key)} label={`${key} by step`} />
          ))}
        </div>
      ) : (
        <p class="muted small">No metric series (training curves) in these runs.</p>
      )}
      <table class="data" data-table="metrics">
        <caption>Metrics side by side (latest value)</caption>
        <thead>{head}</thead>
        <tbody>
          {metrics.map((row) => (
            <tr data-metric={row.key}>
              <th scope="row">{row.key}</th>
              {row.values.map((v) => (
                <td>{v === null ? '–' : formatValue(v)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <a href="/admin/runs">All runs</a>
      </p>
    </Layout>
  );
}

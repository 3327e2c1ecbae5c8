/**
 * The operators' pages, part one: overview (counts, live rate charts, the model serving), live activity
 * across users, serving metrics, and the dataset's statistics. Counts and lists refresh with htmx polling;
 * charts with ../static/app.js.
 */
import type { DatasetStats } from '../../data/stats.js';
import type { AccountRecord } from '../../store/accounts.js';
import type { StoredEvent } from '../../store/store.js';
import type { ServingModel } from '../admin-data.js';
import type { OverviewCounts } from '../insights/activity-tracker.js';
import type { DatasetView } from '../insights/dataset.js';
import { Bars, Chart } from './charts.js';
import { Layout } from './layout.js';

export interface AdminBase {
  account: AccountRecord;
  csrf: string;
}

function age(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

export function CountsPanel({
  counts,
  serving,
}: {
  counts: OverviewCounts;
  serving: ServingModel | undefined;
}) {
  const n = (v: number) => v.toLocaleString('en-US');
  return (
    <section
      id="counts"
      class="tiles"
      hx-get="/admin/partials/counts"
      hx-trigger="every 2s"
      hx-swap="outerHTML"
    >
      <div class="tile">
        <span class="label">Users</span>
        <span class="value" data-count="users">
          {n(counts.users)}
        </span>
      </div>
      <div class="tile">
        <span class="label">Items</span>
        <span class="value" data-count="items">
          {n(counts.items)}
        </span>
      </div>
      <div class="tile">
        <span class="label">Events</span>
        <span class="value" data-count="events">
          {n(counts.events)}
        </span>
      </div>
      <div class="tile">
        <span class="label">Likes</span>
        <span class="value" data-count="likes">
          {n(counts.likes)}
        </span>
      </div>
      <div class="tile wide">
        <span class="label">Model serving</span>
        {serving ? (
          <span class="value small" data-model={serving.version}>
            {serving.ranked ? 'ranked' : 'no ranked model'} · bundle {serving.version} · trained{' '}
            {age(serving.ageSeconds)} ago
          </span>
        ) : (
          <span class="value small">none loaded</span>
        )}
      </div>
    </section>
  );
}

export function OverviewPage(p: AdminBase & { counts: OverviewCounts; serving: ServingModel | undefined }) {
  return (
    <Layout title="Overview" account={p.account} csrf={p.csrf} path="/admin" charts>
      <h1>Overview</h1>
      <CountsPanel counts={p.counts} serving={p.serving} />
      <div class="grid2">
        <Chart
          src="/admin/api/rates.json?series=events"
          refresh={5}
          label="Events per minute, last 3 hours (by ingestion time)"
        />
        <Chart src="/admin/api/rates.json?series=likes" refresh={5} label="Likes per minute, last 3 hours" />
      </div>
    </Layout>
  );
}

export function LiveEvents({
  events,
  titles,
}: {
  events: (StoredEvent & { position: number })[];
  titles: Map<string, string>;
}) {
  return (
    <section id="live" hx-get="/admin/partials/live" hx-trigger="every 2s" hx-swap="outerHTML">
      <table class="data">
        <caption>Latest events across all users, newest first</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">User</th>
            <th scope="col">Event</th>
            <th scope="col">Item</th>
            <th scope="col">Ingested</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr>
              <td>{e.position}</td>
              <td>
                <a href={`/admin/users?user=${encodeURIComponent(e.user)}`}>{e.user}</a>
              </td>
              <td>
                {e.type} {e.value !== 1 ? e.value : ''}
              </td>
              <td>{titles.get(e.item) ?? e.item}</td>
              <td>{new Date(e.ingestedAt).toISOString().slice(11, 19)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function LiveActivityPage(p: AdminBase & Parameters<typeof LiveEvents>[0]) {
  return (
    <Layout title="Live activity" account={p.account} csrf={p.csrf} path="/admin/activity">
      <h1>Live activity</h1>
      <LiveEvents events={p.events} titles={p.titles} />
    </Layout>
  );
}

export function ServingPage(p: AdminBase & { sampleSeconds: number }) {
  return (
    <Layout title="Serving" account={p.account} csrf={p.csrf} path="/admin/serving" charts>
      <h1>Serving</h1>
      <p class="muted small">
        From the server's own metrics (the API's routes), sampled every {p.sampleSeconds} s since the server
        started.
      </p>
      <div class="grid2">
        <Chart
          src="/admin/api/serving.json?series=latency"
          refresh={10}
          label="Request latency p50 / p95 / p99 (ms)"
        />
        <Chart src="/admin/api/serving.json?series=rps" refresh={10} label="Requests per second" />
        <Chart src="/admin/api/serving.json?series=hit" refresh={10} label="Answer cache hit rate" />
        <Chart
          src="/admin/api/serving.json?series=refusals"
          refresh={10}
          label="Rate-limit refusals (429) per interval"
        />
      </div>
    </Layout>
  );
}

function quantileRow(name: string, q: DatasetStats['eventsPerUser']) {
  return (
    <tr>
      <th scope="row">{name}</th>
      {(['p10', 'p25', 'p50', 'p75', 'p90', 'p99', 'max'] as const).map((k) => (
        <td>{Number.isInteger(q[k]) ? q[k] : q[k].toFixed(1)}</td>
      ))}
    </tr>
  );
}

export function DataPage(p: AdminBase & { view: DatasetView }) {
  const s = p.view.stats;
  return (
    <Layout title="Data" account={p.account} csrf={p.csrf} path="/admin/data" charts>
      <h1>Data</h1>
      <dl class="facts">
        <dt>Users</dt>
        <dd>
          {s.users.toLocaleString('en-US')} ({s.activeUsers.toLocaleString('en-US')} with events)
        </dd>
        <dt>Items</dt>
        <dd>
          {s.items.toLocaleString('en-US')} ({s.activeItems.toLocaleString('en-US')} with events)
        </dd>
        <dt>Events</dt>
        <dd>{s.events.toLocaleString('en-US')}</dd>
        <dt>Density</dt>
        <dd>{(s.density * 100).toFixed(3)}%</dd>
        <dt>Item popularity Gini</dt>
        <dd>{s.itemGini.toFixed(3)}</dd>
        <dt>Genres per item</dt>
        <dd>{s.genresPerItemMean.toFixed(2)}</dd>
        {s.meanRating !== null ? (
          <>
            <dt>Mean rating</dt>
            <dd>{s.meanRating.toFixed(2)}</dd>
          </>
        ) : null}
      </dl>
      <table class="data">
        <caption>Quantiles</caption>
        <thead>
          <tr>
            <th scope="col"></th>
            {['p10', 'p25', 'p50', 'p75', 'p90', 'p99', 'max'].map((k) => (
              <th scope="col">{k}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {quantileRow('events per user', s.eventsPerUser)}
          {quantileRow('events per item', s.eventsPerItem)}
        </tbody>
      </table>
      <table class="data">
        <caption>Event types</caption>
        <thead>
          <tr>
            <th scope="col">type</th>
            <th scope="col">events</th>
            <th scope="col">weight</th>
            <th scope="col">value rule</th>
          </tr>
        </thead>
        <tbody>
          {s.eventTypes.map((t) => (
            <tr>
              <td>{t.name}</td>
              <td>{t.events.toLocaleString('en-US')}</td>
              <td>{t.rule.weight}</td>
              <td>{t.rule.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="grid2">
        <Chart
          src="/admin/api/long-tail.json"
          label="Item popularity: events per item by rank (the long tail)"
        />
        <Bars
          label="Users by events (bins of powers of two)"
          rows={p.view.perUser.map((b) => ({ label: `${b.from}-${b.to} events`, value: b.users }))}
        />
      </div>
    </Layout>
  );
}

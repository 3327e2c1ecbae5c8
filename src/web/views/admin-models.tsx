/**
 * The operators' pages, part two: models (every bundle's offline evaluation, NDCG@k curves, fit times,
 * Retrain with progress and Reload), the ranker (feature importance and SHAP summary), the user inspector
 * and accounts with API keys.
 */

import type { BundleSummary } from '../../serving/services/model-holder.js';
import type { AccountRecord, StoredApiKey } from '../../store/accounts.js';
import type { StoredEvent } from '../../store/store.js';
import type { AdminData, ServingModel, StrategyList } from '../admin-data.js';
import type { RankerView } from '../insights/ranker.js';
import type { AdminBase } from './admin.js';
import { Bars, Chart } from './charts.js';
import { Csrf, FormError, Layout } from './layout.js';

const METRIC_COLUMNS: [string, string][] = [
  ['ndcg', 'NDCG'],
  ['precision', 'precision'],
  ['recall', 'recall'],
  ['map', 'MAP'],
  ['hitRate', 'hit rate'],
  ['coverage', 'coverage'],
];

export async function RetrainStatus({ status }: { status: Awaited<ReturnType<AdminData['retrain']>> }) {
  const running = status.state === 'running';
  return (
    <div
      id="retrain"
      role="status"
      {...(running
        ? { 'hx-get': '/admin/partials/retrain', 'hx-trigger': 'every 2s', 'hx-swap': 'outerHTML' }
        : {})}
    >
      <strong>Training: {status.state}</strong>
      {status.seconds !== undefined ? ` (${status.seconds} s)` : ''}
      {running ? (
        <progress
          aria-label="models fitted"
          max={Math.max(1, status.total)}
          value={status.fitted.length}
        ></progress>
      ) : null}
      {status.fitted.length > 0 ? <span class="small"> fitted: {status.fitted.join(', ')}</span> : null}
      {status.version ? <span class="small"> → bundle {status.version}</span> : null}
      {status.error ? <span class="error small"> {status.error}</span> : null}
    </div>
  );
}

function BundleTable({ b }: { b: BundleSummary }) {
  if ('error' in b)
    return (
      <p class="error">
        Bundle {b.version}: {b.error}
      </p>
    );
  const fit = new Map(b.models.map((m) => [m.name, m.fitSeconds]));
  const rows = b.metrics ? Object.entries(b.metrics.models) : [];
  return (
    <table class="data" data-bundle={b.version}>
      <caption>
        Bundle {b.version}: {b.data.events.toLocaleString('en-US')} events;{' '}
        {b.metrics ? `evaluation ${b.metrics.split}, K=${b.metrics.k}` : 'not evaluated'}
      </caption>
      <thead>
        <tr>
          <th scope="col">model</th>
          {METRIC_COLUMNS.map(([, label]) => (
            <th scope="col">{b.metrics ? `${label}@${b.metrics.k}` : label}</th>
          ))}
          <th scope="col">fit (s)</th>
        </tr>
      </thead>
      <tbody>
        {(rows.length > 0 ? rows : b.models.map((m) => [m.name, {}] as [string, Record<string, number>])).map(
          ([name, m]) => (
            <tr class={name === 'oracle' ? 'oracle' : undefined}>
              <th scope="row">{name}</th>
              {METRIC_COLUMNS.map(([key]) => (
                <td>{m[key] !== undefined ? m[key]!.toFixed(4) : '–'}</td>
              ))}
              <td>{fit.get(name as never)?.toFixed(2) ?? '–'}</td>
            </tr>
          ),
        )}
      </tbody>
    </table>
  );
}

export function ModelsPage(
  p: AdminBase & {
    bundles: BundleSummary[];
    serving: ServingModel | undefined;
    retrain: Awaited<ReturnType<AdminData['retrain']>>;
    curveOf: string | undefined;
    error?: string | undefined;
  },
) {
  return (
    <Layout title="Models" account={p.account} csrf={p.csrf} path="/admin/models" charts>
      <h1>Models</h1>
      <FormError message={p.error} />
      <p>
        Serving:{' '}
        {p.serving
          ? `bundle ${p.serving.version} (${p.serving.models.join(', ')}${p.serving.ranked ? ', ranked' : ''})`
          : 'none'}
      </p>
      <div class="actions">
        <form
          method="post"
          action="/admin/models/retrain"
          hx-post="/admin/models/retrain"
          hx-target="#retrain"
          hx-swap="outerHTML"
        >
          <Csrf token={p.csrf} />
          <button type="submit" class="primary">
            Retrain
          </button>
        </form>
        <form method="post" action="/admin/models/reload">
          <Csrf token={p.csrf} />
          <button type="submit">Reload current bundle</button>
        </form>
      </div>
      <RetrainStatus status={p.retrain} />
      {p.curveOf ? (
        <Chart
          src={`/admin/api/ndcg.json?version=${encodeURIComponent(p.curveOf)}`}
          label={`NDCG@k, k = 1..20, bundle ${p.curveOf}`}
        />
      ) : (
        <p class="muted small">
          No bundle recorded an NDCG@k curve yet (trainings since this version record it).
        </p>
      )}
      {p.bundles.map((b) => (
        <BundleTable b={b} />
      ))}
    </Layout>
  );
}

export function RankerPage(p: AdminBase & { view: RankerView }) {
  const v = p.view;
  return (
    <Layout title="Ranker" account={p.account} csrf={p.csrf} path="/admin/ranker">
      <h1>Ranker</h1>
      <p class="muted small">
        Bundle {v.version}. {v.note ?? ''}
      </p>
      <h2>Feature importance (gain) per label view</h2>
      <div class="grid2">
        {v.importance.map((imp) => (
          <Bars
            label={`view ${imp.label}: top 20 features by total gain`}
            rows={imp.features.slice(0, 20).map((f) => ({ label: f.name, value: f.gain }))}
          />
        ))}
      </div>
      {v.shap ? (
        <>
          <h2>SHAP summary</h2>
          <p class="muted small">
            Mean |contribution| to the ranked score over the top {v.shap.explained} recommendations of{' '}
            {v.shap.users} sampled users (seeded), and the mean signed contribution.
          </p>
          <div class="grid2">
            <Bars
              label="mean |SHAP contribution|"
              rows={v.shap.features.slice(0, 20).map((f) => ({ label: f.name, value: f.meanAbs }))}
            />
            <Bars
              label="mean SHAP contribution (signed)"
              rows={v.shap.features.slice(0, 20).map((f) => ({ label: f.name, value: f.mean }))}
            />
          </div>
        </>
      ) : null}
    </Layout>
  );
}

export function InspectorPage(
  p: AdminBase & {
    user: string;
    result?: { history: StoredEvent[]; lists: StrategyList[]; known: boolean } | undefined;
    titles: Map<string, string>;
    error?: string | undefined;
  },
) {
  return (
    <Layout title="User inspector" account={p.account} csrf={p.csrf} path="/admin/users">
      <h1>User inspector</h1>
      <form method="get" action="/admin/users" class="search">
        <label for="user">User id</label>
        <input id="user" name="user" value={p.user} maxlength={256} required />
        <button type="submit">Inspect</button>
      </form>
      <FormError message={p.error} />
      {p.result ? (
        <>
          {!p.result.known ? <p class="muted">Unknown user: he would be served as a newcomer.</p> : null}
          <h2>Each strategy's top 10</h2>
          <div class="strategies">
            {p.result.lists.map((l) => (
              <section class="strategy" data-strategy={l.strategy}>
                <h3>{l.strategy}</h3>
                <p class="muted small">
                  ordered by {l.model}
                  {l.note ? `: ${l.note}` : ''}
                </p>
                {l.error ? <p class="error small">{l.error}</p> : null}
                <ol>
                  {l.items.map((it) => (
                    <li>
                      <a href={`/items/${encodeURIComponent(it.id)}`}>{it.title}</a>
                      {it.reasons.length > 0 ? (
                        <span class="muted small"> · {it.reasons.join('; ')}</span>
                      ) : null}
                    </li>
                  ))}
                </ol>
              </section>
            ))}
          </div>
          <h2>History (latest 50)</h2>
          <ol class="rows">
            {p.result.history.map((e) => (
              <li class="row">
                <span>
                  {e.type} {e.value !== 1 ? e.value : ''} · {p.titles.get(e.item) ?? e.item}
                </span>
                <time class="muted small">
                  {new Date(e.timestamp).toISOString().slice(0, 16).replace('T', ' ')}
                </time>
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </Layout>
  );
}

export function AccountsPage(
  p: AdminBase & {
    accounts: AccountRecord[];
    configured: { role: string; id: string }[];
    keys: StoredApiKey[];
    newKey?: { id: string; key: string } | undefined;
    error?: string | undefined;
  },
) {
  return (
    <Layout title="Accounts and keys" account={p.account} csrf={p.csrf} path="/admin/accounts">
      <h1>Accounts and API keys</h1>
      <FormError message={p.error} />
      {p.newKey ? (
        <p class="done" role="status">
          New key {p.newKey.id} (shown once, copy it now): <code data-new-key>{p.newKey.key}</code>
        </p>
      ) : null}
      <h2>API keys</h2>
      <table class="data">
        <thead>
          <tr>
            <th scope="col">key</th>
            <th scope="col">role</th>
            <th scope="col">label</th>
            <th scope="col">created</th>
            <th scope="col">state</th>
          </tr>
        </thead>
        <tbody>
          {p.configured.map((k) => (
            <tr>
              <td>{k.id}</td>
              <td>{k.role}</td>
              <td>configured (key file or RECO_API_KEYS)</td>
              <td>–</td>
              <td>live</td>
            </tr>
          ))}
          {p.keys.map((k) => (
            <tr>
              <td>{k.id}</td>
              <td>{k.role}</td>
              <td>{k.label}</td>
              <td>{new Date(k.createdAt).toISOString().slice(0, 16).replace('T', ' ')}</td>
              <td>
                {k.revokedAt !== null ? (
                  'revoked'
                ) : (
                  <form method="post" action={`/admin/keys/${encodeURIComponent(k.id)}/revoke`}>
                    <Csrf token={p.csrf} />
                    <button type="submit" class="danger small">
                      Revoke
                    </button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form method="post" action="/admin/keys" class="inline-form">
        <Csrf token={p.csrf} />
        <label for="label">Label</label>
        <input id="label" name="label" required maxlength={80} />
        <label for="role">Role</label>
        <select id="role" name="role">
          <option value="client">client</option>
          <option value="admin">admin</option>
        </select>
        <button type="submit" class="primary">
          Create key
        </button>
      </form>
      <h2>Accounts</h2>
      <table class="data">
        <thead>
          <tr>
            <th scope="col">name</th>
            <th scope="col">email</th>
            <th scope="col">reco user</th>
            <th scope="col">role</th>
            <th scope="col"></th>
          </tr>
        </thead>
        <tbody>
          {p.accounts.map((a) => (
            <tr>
              <td>{a.displayName}</td>
              <td>{a.email}</td>
              <td>
                <a href={`/admin/users?user=${encodeURIComponent(a.userId)}`}>{a.userId}</a>
              </td>
              <td>{a.role}</td>
              <td>
                {a.id !== p.account.id ? (
                  <form method="post" action={`/admin/accounts/${encodeURIComponent(a.id)}/role`}>
                    <Csrf token={p.csrf} />
                    <input type="hidden" name="role" value={a.role === 'admin' ? 'person' : 'admin'} />
                    <button type="submit" class="small">
                      {a.role === 'admin' ? 'Make person' : 'Promote to admin'}
                    </button>
                  </form>
                ) : (
                  'you'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}

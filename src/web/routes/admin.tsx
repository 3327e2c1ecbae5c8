/**
 * The operators' pages (role admin; a person gets 403) and the JSON their charts read: overview, models,
 * ranker, live activity, serving, data, user inspector, accounts and keys.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { AdminData } from '../admin-data.js';
import { optionalField } from '../form.js';
import { ServingSampler } from '../insights/serving.js';
import { sendPage, sendPartial } from '../render.js';
import {
  CountsPanel,
  DataPage,
  LiveActivityPage,
  LiveEvents,
  OverviewPage,
  ServingPage,
} from '../views/admin.js';
import { AccountsPage, InspectorPage, ModelsPage, RankerPage, RetrainStatus } from '../views/admin-models.js';

const admin = { config: { web: 'admin' as const } };
const SAMPLE_MS = 10_000;

const adminRoutes: FastifyPluginAsync = async (app) => {
  const { services, activity, dataset, ranker, keyRing, accounts } = app.web;
  const data = new AdminData(services, app.retrainer);
  const sampler = new ServingSampler(app.metrics.registry, SAMPLE_MS);
  sampler.start();
  app.addHook('onClose', async () => sampler.stop());
  const me = (request: FastifyRequest) => request.account!;
  const titleMap = async (ids: Iterable<string>) => {
    const m = new Map<string, string>();
    for (const id of ids) if (!m.has(id)) m.set(id, (await services.store.getItem(id))?.title ?? id);
    return m;
  };

  app.get('/admin', admin, async (request, reply) =>
    sendPage(
      reply,
      <OverviewPage
        account={me(request)}
        csrf={reply.generateCsrf()}
        counts={await activity.counts()}
        serving={data.serving()}
      />,
    ),
  );
  app.get('/admin/partials/counts', admin, async (_request, reply) =>
    sendPartial(reply, <CountsPanel counts={await activity.counts()} serving={data.serving()} />),
  );
  app.get('/admin/api/rates.json', admin, async (request) => {
    const r = await activity.rates(3);
    const likes = optionalField(request.query, 'series', 20) === 'likes';
    return {
      kind: 'time',
      x: r.x,
      series: [{ label: likes ? 'likes / min' : 'events / min', values: likes ? r.likes : r.events }],
    };
  });

  app.get('/admin/models', admin, async (request, reply) => {
    return sendPage(
      reply,
      <ModelsPage account={me(request)} csrf={reply.generateCsrf()} {...(await data.modelsView())} />,
    );
  });
  app.get('/admin/partials/retrain', admin, async (_request, reply) =>
    sendPartial(reply, <RetrainStatus status={await data.retrain()} />),
  );
  app.get('/admin/api/ndcg.json', admin, async (request) => {
    const version = optionalField(request.query, 'version', 200) ?? '';
    const curve = data.ndcgCurve(version);
    return curve ? { kind: 'line', xLabel: 'k', ...curve } : { kind: 'line', x: [], series: [] };
  });

  app.get('/admin/ranker', admin, async (request, reply) =>
    sendPage(
      reply,
      <RankerPage account={me(request)} csrf={reply.generateCsrf()} view={await ranker.view()} />,
    ),
  );

  app.get('/admin/activity', admin, async (request, reply) => {
    const events = await activity.latest(50);
    return sendPage(
      reply,
      <LiveActivityPage
        account={me(request)}
        csrf={reply.generateCsrf()}
        events={events}
        titles={await titleMap(events.map((e) => e.item))}
      />,
    );
  });
  app.get('/admin/partials/live', admin, async (_request, reply) => {
    const events = await activity.latest(50);
    return sendPartial(
      reply,
      <LiveEvents events={events} titles={await titleMap(events.map((e) => e.item))} />,
    );
  });

  app.get('/admin/serving', admin, async (request, reply) =>
    sendPage(
      reply,
      <ServingPage account={me(request)} csrf={reply.generateCsrf()} sampleSeconds={SAMPLE_MS / 1000} />,
    ),
  );
  app.get('/admin/api/serving.json', admin, async (request) => {
    const s = sampler.samples;
    const x = s.map((v) => v.t);
    switch (optionalField(request.query, 'series', 20)) {
      case 'rps':
        return { kind: 'time', x, series: [{ label: 'requests/s', values: s.map((v) => v.rps) }] };
      case 'hit':
        return { kind: 'time', x, series: [{ label: 'hit rate', values: s.map((v) => v.hitRate) }] };
      case 'refusals':
        return { kind: 'time', x, series: [{ label: '429s', values: s.map((v) => v.refusals) }] };
      default:
        return {
          kind: 'time',
          x,
          series: [
            { label: 'p50 ms', values: s.map((v) => v.p50) },
            { label: 'p95 ms', values: s.map((v) => v.p95) },
            { label: 'p99 ms', values: s.map((v) => v.p99) },
          ],
        };
    }
  });

  app.get('/admin/data', admin, async (request, reply) =>
    sendPage(
      reply,
      <DataPage account={me(request)} csrf={reply.generateCsrf()} view={await dataset.view()} />,
    ),
  );
  app.get('/admin/api/long-tail.json', admin, async () => {
    const t = (await dataset.view()).longTail;
    return {
      kind: 'line',
      xLabel: 'item rank',
      logY: true,
      x: t.rank,
      series: [{ label: 'events', values: t.events.map((v) => Math.max(v, 0.5)) }],
    };
  });

  app.get('/admin/users', admin, async (request, reply) => {
    const user = (optionalField(request.query, 'user', 256) ?? '').trim();
    const result = user === '' ? undefined : await data.inspect(user);
    const ids = result ? result.history.map((e) => e.item) : [];
    return sendPage(
      reply,
      <InspectorPage
        account={me(request)}
        csrf={reply.generateCsrf()}
        user={user}
        result={result}
        titles={await titleMap(ids)}
      />,
    );
  });

  app.get('/admin/accounts', admin, async (request, reply) =>
    sendPage(
      reply,
      <AccountsPage
        account={me(request)}
        csrf={reply.generateCsrf()}
        accounts={await accounts.list()}
        configured={keyRing.configuredSummary()}
        keys={await keyRing.list()}
      />,
    ),
  );
};

export default adminRoutes;

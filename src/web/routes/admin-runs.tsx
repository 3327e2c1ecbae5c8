/**
 * The operators' Runs pages (role admin): the list with its kind filter (the list swapped in place by
 * htmx), a run, a comparison, and the metric series their charts read. Thin: ../runs-data.ts checks the
 * query and raises the domain errors the one handler maps to HTTP.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { field, listField, optionalField } from '../form.js';
import { sendPage, sendPartial } from '../render.js';
import { MAX_COMPARED, RunsData } from '../runs-data.js';
import { ComparePage, RunPage, RunsList, RunsPage } from '../views/admin-runs.js';

const admin = { config: { web: 'admin' as const } };

const adminRunRoutes: FastifyPluginAsync = async (app) => {
  const data = new RunsData(app.web.services.store);
  const me = (request: FastifyRequest) => request.account!;
  const ids = (request: FastifyRequest) => listField(request.query, 'id', 32, MAX_COMPARED);

  app.get('/admin/runs', admin, async (request, reply) => {
    const kind = data.kindOf(optionalField(request.query, 'kind', 20));
    return sendPage(
      reply,
      <RunsPage account={me(request)} csrf={reply.generateCsrf()} runs={await data.list(kind)} kind={kind} />,
    );
  });
  app.get('/admin/partials/runs', admin, async (request, reply) => {
    const kind = data.kindOf(optionalField(request.query, 'kind', 20));
    return sendPartial(reply, <RunsList runs={await data.list(kind)} kind={kind} />);
  });
  app.get('/admin/runs/compare', admin, async (request, reply) =>
    sendPage(
      reply,
      <ComparePage
        account={me(request)}
        csrf={reply.generateCsrf()}
        {...(await data.compare(ids(request)))}
      />,
    ),
  );
  app.get<{ Params: { id: string } }>('/admin/runs/:id', admin, async (request, reply) =>
    sendPage(
      reply,
      <RunPage account={me(request)} csrf={reply.generateCsrf()} {...(await data.run(request.params.id))} />,
    ),
  );
  app.get('/admin/api/runs/series.json', admin, async (request) =>
    data.series(ids(request), field(request.query, 'key', 250)),
  );
};

export default adminRunRoutes;

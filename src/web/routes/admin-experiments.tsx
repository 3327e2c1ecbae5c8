/**
 * The operators' Experiments page (role admin; actions with the CSRF proof): list, create, stop, and one
 * experiment's results with its charts' JSON (the lift's intervals and each variant's CTR over time).
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { DomainError, InvalidInputError } from '../../errors.js';
import type { ExperimentInput } from '../../experiments/definition.js';
import type { ExperimentResults } from '../../experiments/results.js';
import { field, optionalField } from '../form.js';
import { statusOf } from '../plugins/errors.js';
import { sendPage } from '../render.js';
import { type CreateValues, ExperimentPage, ExperimentsPage } from '../views/admin-experiments.js';

const admin = { config: { web: 'admin' as const } };
/** Points of the charts over time. */
const TIMELINE_POINTS = 12;
/** How long a computed timeline answers the charts that ask for it again, ms. */
const TIMELINE_REUSE_MS = 5_000;

/** A variant from the form: a strategy, or bundle:VERSION. */
function variant(name: string, spec: string, weight: number): ExperimentInput['variants'][number] {
  return spec.startsWith('bundle:')
    ? { name, bundle: spec.slice(7).trim(), weight }
    : { name, strategy: spec.trim(), weight };
}

function number(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new InvalidInputError(name, `must be a number, got "${raw}"`);
  return n;
}

const adminExperimentRoutes: FastifyPluginAsync = async (app) => {
  const { experiments } = app.web.services;
  const me = (request: FastifyRequest) => request.account!;

  app.get('/admin/experiments', admin, async (request, reply) =>
    sendPage(
      reply,
      <ExperimentsPage
        account={me(request)}
        csrf={reply.generateCsrf()}
        experiments={await experiments.list()}
      />,
    ),
  );

  app.post('/admin/experiments', admin, async (request, reply) => {
    const body = request.body;
    const values: CreateValues = {
      name: optionalField(body, 'name', 200) ?? '',
      control: optionalField(body, 'control', 200) ?? '',
      treatment: optionalField(body, 'treatment', 200) ?? '',
      weight: optionalField(body, 'weight', 20) ?? '',
      hours: optionalField(body, 'hours', 20) ?? '',
    };
    try {
      const weight = number(values.weight, 'weight', 0.5);
      if (!(weight > 0 && weight < 1)) throw new InvalidInputError('weight', 'must be between 0 and 1');
      const e = await experiments.create({
        name: field(body, 'name', 200),
        variants: [
          variant('control', field(body, 'control', 200), 1 - weight),
          variant('treatment', field(body, 'treatment', 200), weight),
        ],
        attributionHours: number(values.hours, 'hours', 24),
      });
      return reply.redirect(`/admin/experiments/${encodeURIComponent(e.id)}`, 303);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return sendPage(
        reply,
        <ExperimentsPage
          account={me(request)}
          csrf={reply.generateCsrf()}
          experiments={await experiments.list()}
          error={err.message}
          values={values}
        />,
        statusOf(err),
      );
    }
  });

  app.post<{ Params: { id: string } }>('/admin/experiments/:id/stop', admin, async (request, reply) => {
    const e = await experiments.get(request.params.id);
    if (e.status !== 'stopped') await experiments.stop(e.id);
    return reply.redirect(`/admin/experiments/${encodeURIComponent(e.id)}`, 303);
  });

  app.get<{ Params: { id: string } }>('/admin/experiments/:id', admin, async (request, reply) =>
    sendPage(
      reply,
      <ExperimentPage
        account={me(request)}
        csrf={reply.generateCsrf()}
        results={await experiments.results(request.params.id)}
      />,
    ),
  );

  // a page's two charts ask for the same timeline within moments of each other (and every 30 s): one
  // computation (an exposure read and one per exposed user, at each point) serves both
  let last: { id: string; at: number; results: ExperimentResults } | undefined;
  const timeline = async (id: string): Promise<ExperimentResults> => {
    const now = Date.now();
    if (last?.id === id && now - last.at < TIMELINE_REUSE_MS) return last.results;
    const results = await experiments.results(id, { timelinePoints: TIMELINE_POINTS });
    last = { id, at: now, results };
    return results;
  };

  app.get<{ Params: { id: string } }>('/admin/api/experiments/:id/lift.json', admin, async (request) => {
    const r = await timeline(request.params.id);
    const points = r.timeline ?? [];
    const treatment = (k: number) => points[k]!.variants[1]?.lift;
    const series = (label: string, pick: (l: NonNullable<ReturnType<typeof treatment>>) => number) => ({
      label,
      values: points.map((_, k) => {
        const l = treatment(k);
        return l && !l.error ? pick(l) * 100 : null;
      }),
    });
    return {
      kind: 'time',
      x: points.map((p) => p.at / 1000),
      series: [
        series(`lift of ${r.variants[1]?.name ?? 'treatment'} (%)`, (l) => l.value),
        series('95% low', (l) => l.ci[0]),
        series('95% high', (l) => l.ci[1]),
        series('always-valid low', (l) => l.sequentialCi[0]),
        series('always-valid high', (l) => l.sequentialCi[1]),
      ],
    };
  });

  app.get<{ Params: { id: string } }>('/admin/api/experiments/:id/ctr.json', admin, async (request) => {
    const r = await timeline(request.params.id);
    const points = r.timeline ?? [];
    return {
      kind: 'time',
      x: points.map((p) => p.at / 1000),
      series: r.variants.map((v, j) => ({
        label: `${v.name} CTR (%)`,
        values: points.map((p) => (p.variants[j]!.users > 0 ? p.variants[j]!.ctr.value * 100 : null)),
      })),
    };
  });
};

export default adminExperimentRoutes;

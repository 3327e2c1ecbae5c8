/**
 * Prometheus metrics (prom-client), on a registry of this app's own, at GET /metrics: request latency
 * histograms by route and status, events ingested, answer-cache hits and misses, the model version served
 * (reco_model_info{version} 1), hot swaps and model load failures, and Node's default process metrics.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { errorResponses } from '../schemas.js';

export interface ServingMetrics {
  registry: Registry;
  eventsIngested: Counter;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ServingMetrics;
  }
}

async function metrics(app: FastifyInstance, opts: { defaultMetrics?: boolean }) {
  const { answerCache: cache, models } = app;
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const latency = new Histogram({
    name: 'reco_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const eventsIngested = new Counter({
    name: 'reco_events_ingested_total',
    help: 'events stored and applied to the online state',
    registers: [registry],
  });
  new Counter({
    name: 'reco_cache_hits_total',
    help: 'answers served from the per-user cache',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(cache.hits);
    },
  });
  new Counter({
    name: 'reco_cache_misses_total',
    help: 'answers computed (not in the cache)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(cache.misses);
    },
  });
  new Gauge({
    name: 'reco_model_info',
    help: 'the model bundle version served (value 1)',
    labelNames: ['version'],
    registers: [registry],
    collect() {
      this.reset();
      if (models.slot) this.set({ version: models.slot.version }, 1);
    },
  });
  new Gauge({
    name: 'reco_model_swaps',
    help: 'model bundles swapped in since start',
    registers: [registry],
    collect() {
      this.set(models.swaps);
    },
  });
  new Gauge({
    name: 'reco_model_load_error',
    help: '1 when the last attempt to load a model bundle failed (the previous one keeps serving)',
    registers: [registry],
    collect() {
      this.set(models.lastLoadError ? 1 : 0);
    },
  });
  app.decorate('metrics', { registry, eventsIngested });
  app.addHook('onResponse', async (request, reply) => {
    latency.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: reply.statusCode,
      },
      reply.elapsedTime / 1000,
    );
  });
  app.get(
    '/metrics',
    {
      config: { auth: 'client' },
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics (text exposition format)',
        operationId: 'getMetrics',
        response: {
          200: {
            description: 'the metrics, in the Prometheus text format',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
          ...errorResponses,
        },
      },
    },
    async (_request, reply) => {
      reply.header('content-type', registry.contentType);
      return registry.metrics();
    },
  );
}

export default fp(metrics, { name: 'reco-metrics', fastify: '5.x', dependencies: ['reco-services'] });

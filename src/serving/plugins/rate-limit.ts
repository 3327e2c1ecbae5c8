/**
 * Per-key rate limits (@fastify/rate-limit): `max` requests per second for each API key (requests without
 * a key count per client address); over it, 429 with a JSON body and Retry-After. Runs after
 * authentication (preHandler) so that it can key on the caller. max 0 turns limiting off. With `shared`
 * (../shared-limits.ts) the counts are kept in Redis, one limit across replicas; a Redis that does not
 * answer lets requests through (fail open) rather than refusing them all.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { SharedLimits } from '../shared-limits.js';

async function limits(app: FastifyInstance, opts: { max: number; shared?: SharedLimits }) {
  if (!(opts.max > 0)) return;
  const { shared } = opts;
  await app.register(rateLimit, {
    global: true,
    ...(shared ? { redis: shared.redis, nameSpace: `${shared.prefix}rate:`, skipOnError: true } : {}),
    max: opts.max,
    timeWindow: 1000,
    hook: 'preHandler',
    cache: 10_000,
    keyGenerator: (request) => request.principal?.id ?? request.ip,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      error: 'Too Many Requests',
      message: `rate limit exceeded: ${context.max} requests per second per key; retry in ${context.after}`,
    }),
  });
}

export default fp(limits, { name: 'reco-rate-limit', fastify: '5.x', dependencies: ['reco-auth'] });

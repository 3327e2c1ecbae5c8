/**
 * API-key authentication (see ../api-keys.ts). Each route says which role it needs in its config
 * (`config: { auth: 'admin' }`; default client; 'public' for none). The key is read from
 * `Authorization: Bearer KEY` or `X-API-Key: KEY`; 401 without a valid key, 403 with the wrong role.
 * /docs (the interactive documentation) is public.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { allows, type KeyRing, type Principal, type Role } from '../api-keys.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: Role | 'public';
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

function presentedKey(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (typeof h === 'string' && h.length > 7 && h.slice(0, 7).toLowerCase() === 'bearer ')
    return h.slice(7).trim();
  const x = request.headers['x-api-key'];
  if (typeof x === 'string' && x.length > 0) return x.trim();
  return undefined;
}

function deny(reply: FastifyReply, statusCode: 401 | 403, message: string) {
  const body = { statusCode, error: statusCode === 401 ? 'Unauthorized' : 'Forbidden', message };
  if (statusCode === 401) reply.header('www-authenticate', 'Bearer');
  return reply.code(statusCode).send(body);
}

async function auth(app: FastifyInstance, opts: { keys: KeyRing }) {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request, reply) => {
    if (request.is404) return;
    const needed = request.routeOptions.config?.auth ?? 'client';
    const key = presentedKey(request);
    if (needed === 'public' || request.routeOptions.url?.startsWith('/docs')) {
      // a public route answers everyone; a valid key it is given may see more (/health's details)
      const principal = key === undefined ? undefined : opts.keys.verify(key);
      if (principal) request.principal = principal;
      return;
    }
    if (key === undefined)
      return deny(reply, 401, 'missing API key: send "Authorization: Bearer <key>" or "X-API-Key: <key>"');
    const principal = opts.keys.verify(key);
    if (!principal) return deny(reply, 401, 'invalid API key');
    if (!allows(principal.role, needed))
      return deny(
        reply,
        403,
        `this route needs the ${needed} role; the key presented has the ${principal.role} role`,
      );
    request.principal = principal;
  });
}

export default fp(auth, { name: 'reco-auth', fastify: '5.x' });

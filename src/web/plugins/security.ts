/**
 * The web app's security headers and cross-site request forgery defence:
 * - @fastify/helmet on every page and asset: a Content-Security-Policy with no inline script or style
 *   (`script-src 'self'`, `style-src 'self'`), `frame-ancestors 'none'`, nosniff, `Referrer-Policy:
 *   same-origin`, and the rest of helmet's defaults;
 * - every state-changing request (POST) must carry the CSRF proof (@fastify/csrf-protection: a token made
 *   from a secret kept in an HttpOnly, SameSite=Strict cookie, sent as the `_csrf` form field or the
 *   `x-csrf-token` header that htmx adds), AND pass a strict origin check: an `Origin` header other than
 *   the app's own, or `Sec-Fetch-Site: cross-site`, is refused (403) before anything else runs.
 */
import csrf from '@fastify/csrf-protection';
import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ForbiddenError } from '../../accounts/errors.js';

/** The app's own origin as the browser sees it (scheme and Host header). */
function ownOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/** Why a state-changing request looks cross-site, or undefined. */
export function crossSiteProblem(request: FastifyRequest): string | undefined {
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== ownOrigin(request))
    return `cross-site request refused (Origin ${origin.slice(0, 100)})`;
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site') return 'cross-site request refused (Sec-Fetch-Site: cross-site)';
  return undefined;
}

async function security(app: FastifyInstance) {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
    strictTransportSecurity: false,
  });
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'reco_csrf',
    cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true },
  });
  app.addHook('onRequest', async (request) => {
    if (request.method === 'GET' || request.method === 'HEAD') return;
    const problem = crossSiteProblem(request);
    if (problem) throw new ForbiddenError(problem);
  });
  // the token is read from the parsed form body, so the check runs once the body is parsed
  app.addHook('preHandler', (request, reply, done) => {
    if (request.method === 'GET' || request.method === 'HEAD') return done();
    app.csrfProtection(request, reply, done);
  });
}

export default fp(security, { name: 'reco-web-security', fastify: '5.x' });

/**
 * Who is signed in: the session cookie resolved to an account on every request of the web app
 * (`request.account`), and the access each route declares in its config (`web: 'public' | 'person' |
 * 'admin'`, default 'person'): a page without a session redirects to sign-in (htmx: HX-Redirect), an
 * admin page for a person is 403. The account comes from the session only: no id in a form, URL or header
 * chooses whose data a request reads or writes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ForbiddenError } from '../../accounts/errors.js';
import { SESSION_COOKIE, type SessionService } from '../../accounts/sessions.js';
import type { AccountRecord } from '../../store/accounts.js';

export type WebAccess = 'public' | 'person' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    web?: WebAccess;
  }
  interface FastifyRequest {
    account?: AccountRecord;
    sessionToken?: string;
  }
}

/** Only paths of this app, never another site's ("//evil", "https://..."), for redirects after sign-in. */
export function safeNext(raw: unknown): string {
  if (typeof raw !== 'string' || !raw.startsWith('/') || raw.startsWith('//') || raw.includes('\\'))
    return '/';
  return raw.length > 500 ? '/' : raw;
}

/** Whether the request reached the app over HTTPS (directly, or by a trusted proxy's word). */
function overHttps(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  expiresAt: number,
  secure: boolean | 'auto',
): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: secure === 'auto' ? overHttps(request) : secure,
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

async function session(app: FastifyInstance, opts: { sessions: SessionService }) {
  app.decorateRequest('account', undefined);
  app.decorateRequest('sessionToken', undefined);
  app.addHook('onRequest', async (request) => {
    // static files are the same for everyone: no session lookup for each script and style sheet
    if (request.routeOptions.url?.startsWith('/assets/')) return;
    const token = request.cookies[SESSION_COOKIE];
    const account = await opts.sessions.resolve(token);
    if (account) {
      request.account = account;
      request.sessionToken = token;
    }
  });
  app.addHook('preHandler', async (request, reply) => {
    const access = request.routeOptions.config?.web ?? 'person';
    if (access === 'public') return;
    if (!request.account) {
      const next = request.method === 'GET' ? request.url : '/';
      const to = `/signin?next=${encodeURIComponent(next)}`;
      if (request.headers['hx-request'] === 'true') return reply.code(401).header('hx-redirect', to).send('');
      return reply.redirect(to, 303);
    }
    if (access === 'admin' && request.account.role !== 'admin')
      throw new ForbiddenError('this page is for operators (accounts with the admin role)');
  });
}

export default fp(session, { name: 'reco-web-session', fastify: '5.x' });

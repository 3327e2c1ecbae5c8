/**
 * The web app (people at /, operators at /admin), a plugin of the API's own server (../serving/app.ts):
 * it only wires. Cookies and form bodies, the security headers and CSRF defence (./plugins/security.ts),
 * the session (./plugins/session.ts), an error handler of its own that answers with pages
 * (./plugins/errors.ts), the static files (./assets.ts), and one plugin per group of pages (./routes/).
 * Its routes need no API key (`auth: 'public'`: they are the session's) and stay out of the OpenAPI
 * document.
 */
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import { assets } from './assets.js';
import type { WebServices } from './compose-web.js';
import errors from './plugins/errors.js';
import security from './plugins/security.js';
import session from './plugins/session.js';
import adminRoutes from './routes/admin.js';
import adminActionRoutes from './routes/admin-actions.js';
import adminExperimentRoutes from './routes/admin-experiments.js';
import adminRunRoutes from './routes/admin-runs.js';
import authRoutes from './routes/auth.js';
import peopleRoutes from './routes/people.js';

declare module 'fastify' {
  interface FastifyInstance {
    web: WebServices;
  }
}

export async function webApp(app: FastifyInstance, opts: { web: WebServices }) {
  app.addHook('onRoute', (route) => {
    const asset = route.url.startsWith('/assets/');
    route.config = {
      auth: 'public',
      ...(asset ? { web: 'public' } : {}),
      ...(route.config ?? {}),
    } as typeof route.config;
    route.schema = { ...(route.schema ?? {}), hide: true };
  });
  app.decorate('web', opts.web);
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  await app.register(errors);
  await app.register(security);
  await app.register(session, { sessions: opts.web.sessions });
  await assets(app);
  await app.register(authRoutes);
  await app.register(peopleRoutes);
  await app.register(adminRoutes);
  await app.register(adminActionRoutes);
  await app.register(adminExperimentRoutes);
  await app.register(adminRunRoutes);
  // expired sessions are removed now and then (a resolved one that expired is removed at once)
  const sweep = setInterval(() => opts.web.sessions.sweep(), 3_600_000);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));
}

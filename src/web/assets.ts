/**
 * The app's static files, from the project itself (no CDN: the app works offline): its CSS and script
 * (./static/), and htmx and uPlot from their packages in node_modules. Cached for an hour, revalidated by
 * ETag.
 */

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** ./static/ in the source tree (the compiled code lives in dist/src/web/). */
export const STATIC_DIR = here.includes(`${join('dist', 'src')}`)
  ? join(here, '..', '..', '..', 'src', 'web', 'static')
  : join(here, 'static');

/** Vendor files served under /assets/vendor/, by name: [package's file]. */
const VENDOR = new Map<string, string>([
  ['htmx.min.js', 'htmx.org/dist/htmx.min.js'],
  ['uPlot.iife.min.js', 'uplot/dist/uPlot.iife.min.js'],
  ['uPlot.min.css', 'uplot/dist/uPlot.min.css'],
]);

export async function assets(app: FastifyInstance) {
  await app.register(fastifyStatic, {
    root: STATIC_DIR,
    prefix: '/assets/',
    maxAge: 3_600_000,
    index: false,
    list: false,
  });
  for (const [name, file] of VENDOR) {
    const full = require.resolve(file);
    app.get(
      `/assets/vendor/${name}`,
      { config: { auth: 'public', web: 'public' }, schema: { hide: true } },
      (_req, reply) => reply.sendFile(name, dirname(full), { maxAge: 3_600_000 }),
    );
  }
}

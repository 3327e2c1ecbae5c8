/**
 * Server-side rendering of the typed templates (./views/, TSX on Preact's JSX, rendered to a string by
 * preact-render-to-string, which escapes every text and attribute value: what a user or an import wrote
 * can only ever show as text). A page is a document; a partial (htmx swaps it in) is a fragment.
 */
import type { FastifyReply } from 'fastify';
import type { JSX } from 'preact';
import { render } from 'preact-render-to-string';

/** Sends a whole page. */
export function sendPage(reply: FastifyReply, page: JSX.Element, status = 200): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(`<!doctype html>${render(page)}`);
}

/** Sends a fragment for htmx to swap in. */
export function sendPartial(reply: FastifyReply, fragment: JSX.Element, status = 200): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(render(fragment));
}

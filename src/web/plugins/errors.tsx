/**
 * The web app's error handler: its pages answer errors as pages (the API's handler answers JSON). Domain
 * errors keep their meaning: bad input 400 naming the field, no session 401, not allowed (and a refused
 * CSRF proof or cross-site origin) 403, unknown 404, conflict 409, throttled sign-in 429 with Retry-After,
 * no model 503; anything else 500, logged.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ThrottledError } from '../../accounts/errors.js';
import { RecoError, UnavailableError } from '../../errors.js';
import { domainStatus } from '../../serving/plugins/errors.js';
import { sendPage, sendPartial } from '../render.js';
import { ErrorPage } from '../views/auth.js';

/** The status of an error raised on a page: a domain error's as the API answers it. */
export function statusOf(err: Error): number {
  const status = domainStatus(err);
  if (status !== undefined) return status;
  if (err instanceof RecoError) return 400;
  const code = (err as FastifyError).statusCode;
  return typeof code === 'number' && code >= 400 && code < 600 ? code : 500;
}

async function errors(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const status = statusOf(err);
    const csrfFault = err.code === 'FST_CSRF_INVALID_TOKEN' || err.code === 'FST_CSRF_MISSING_SECRET';
    const message =
      status >= 500 && !(err instanceof UnavailableError)
        ? 'internal error: the server could not answer this page (see its log)'
        : csrfFault
          ? 'the form was not sent by this app (missing or wrong CSRF proof): reload the page and try again'
          : err.message;
    if (status >= 500) request.log.error({ err }, 'page failed');
    if (err instanceof ThrottledError) reply.header('retry-after', String(err.retryAfter));
    let csrf = '';
    try {
      csrf = reply.generateCsrf();
    } catch {
      // no CSRF secret could be made (a cookie fault): the error page has no forms that need it
    }
    const page = (
      <ErrorPage status={status} message={message} csrf={csrf} signedIn={request.account !== undefined} />
    );
    if (request.headers['hx-request'] === 'true')
      return sendPartial(
        reply,
        <p class="error" role="alert">
          {message}
        </p>,
        status,
      );
    return sendPage(reply, page, status);
  });
}

export default fp(errors, { name: 'reco-web-errors', fastify: '5.x' });

/**
 * Sign in, sign up and sign out. A form that fails is shown again with the field at fault named; a
 * throttled sign-in answers 429 with Retry-After.
 */
import type { FastifyPluginAsync } from 'fastify';
import { ThrottledError } from '../../accounts/errors.js';
import { DomainError } from '../../errors.js';
import { field, optionalField } from '../form.js';
import { statusOf } from '../plugins/errors.js';
import { clearSessionCookie, safeNext, setSessionCookie } from '../plugins/session.js';
import { sendPage } from '../render.js';
import { SignInPage, SignUpPage } from '../views/auth.js';

const pub = { config: { web: 'public' as const } };

const authRoutes: FastifyPluginAsync = async (app) => {
  const { accounts, secureCookies } = app.web;

  app.get('/signin', pub, async (request, reply) => {
    if (request.account) return reply.redirect('/', 303);
    const next = optionalField(request.query, 'next', 500);
    return sendPage(reply, <SignInPage csrf={reply.generateCsrf()} next={next && safeNext(next)} />);
  });

  app.post('/signin', pub, async (request, reply) => {
    const email = optionalField(request.body, 'email', 300) ?? '';
    const next = safeNext(optionalField(request.body, 'next', 500));
    try {
      const signed = await accounts.signIn(email, field(request.body, 'password', 1000), request.ip);
      setSessionCookie(request, reply, signed.token, signed.expiresAt, secureCookies);
      return reply.redirect(signed.account.onboarded ? next : '/onboarding', 303);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      if (err instanceof ThrottledError) reply.header('retry-after', String(err.retryAfter));
      const page = <SignInPage csrf={reply.generateCsrf()} error={err.message} email={email} next={next} />;
      return sendPage(reply, page, statusOf(err));
    }
  });

  app.get('/signup', pub, async (request, reply) => {
    if (request.account) return reply.redirect('/', 303);
    return sendPage(reply, <SignUpPage csrf={reply.generateCsrf()} />);
  });

  app.post('/signup', pub, async (request, reply) => {
    const email = optionalField(request.body, 'email', 300) ?? '';
    const displayName = optionalField(request.body, 'displayName', 300) ?? '';
    try {
      const password = optionalField(request.body, 'password', 1000) ?? '';
      const signed = await accounts.signUp({ email, password, displayName });
      setSessionCookie(request, reply, signed.token, signed.expiresAt, secureCookies);
      return reply.redirect('/onboarding', 303);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const page = (
        <SignUpPage csrf={reply.generateCsrf()} error={err.message} email={email} displayName={displayName} />
      );
      return sendPage(reply, page, statusOf(err));
    }
  });

  app.post('/signout', pub, async (request, reply) => {
    await accounts.signOut(request.sessionToken);
    clearSessionCookie(reply);
    return reply.redirect('/signin', 303);
  });
};

export default authRoutes;

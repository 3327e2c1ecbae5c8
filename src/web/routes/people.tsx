/**
 * The people's pages (each needs a session; the reco user is the account's own, never one named by the
 * request): onboarding, home and its recommendation partial, feedback, browse, item, activity, account.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, InvalidInputError } from '../../errors.js';
import { field, intField, listField, optionalField } from '../form.js';
import { PeopleData } from '../people-data.js';
import { statusOf } from '../plugins/errors.js';
import { clearSessionCookie, setSessionCookie } from '../plugins/session.js';
import { sendPage, sendPartial } from '../render.js';
import {
  AccountPage,
  ActivityList,
  ActivityPage,
  BrowsePage,
  type FeedbackKind,
  HomePage,
  ItemFeedback,
  ItemPage,
  OnboardingGenresPage,
  OnboardingLikesPage,
  RecList,
  Why,
} from '../views/people.js';

const KINDS: readonly FeedbackKind[] = ['like', 'dislike', 'not_interested'];

const peopleRoutes: FastifyPluginAsync = async (app) => {
  const { services, onboarding, accounts, secureCookies } = app.web;
  const data = new PeopleData(services);
  const me = (request: FastifyRequest) => request.account!;

  /** The genre filter of a request: absent, or a known genre (bad input otherwise). */
  const genreOf = (bag: unknown): string | undefined => {
    const g = optionalField(bag, 'genre', 100);
    if (g === undefined || g === '') return undefined;
    services.catalogue.genreMask(g); // throws naming the field for an unknown genre
    return g;
  };

  const recList = async (request: FastifyRequest, reply: FastifyReply, genre: string | undefined) => {
    const recs = await data.recommendations(me(request), genre);
    return { ...recs, csrf: reply.generateCsrf(), genre };
  };

  app.get('/', async (request, reply) => {
    const account = me(request);
    if (!account.onboarded) return reply.redirect('/onboarding', 303);
    const genre = genreOf(request.query);
    const list = await recList(request, reply, genre);
    return sendPage(
      reply,
      <HomePage
        account={account}
        csrf={list.csrf}
        list={list}
        genres={services.catalogue.genres()}
        genre={genre}
      />,
    );
  });

  app.get('/partials/recs', async (request, reply) => {
    const list = await recList(request, reply, genreOf(request.query));
    return sendPartial(reply, <RecList {...list} />);
  });

  app.get('/partials/why', async (request, reply) => {
    const item = field(request.query, 'item', 256);
    const why = await data.why(me(request), item);
    return sendPartial(
      reply,
      <Why item={item} reasons={why.length > 0 ? why : ['Popular with people like you']} />,
    );
  });

  app.post('/feedback', async (request, reply) => {
    const item = field(request.body, 'item', 256);
    const kind = field(request.body, 'kind', 20) as FeedbackKind;
    if (!KINDS.includes(kind)) throw new InvalidInputError('kind', `must be one of ${KINDS.join(', ')}`);
    const from = optionalField(request.body, 'from', 10) ?? 'home';
    const genre = genreOf(request.body);
    await data.feedback(me(request), item, kind);
    if (request.headers['hx-request'] !== 'true')
      return reply.redirect(from === 'item' ? `/items/${encodeURIComponent(item)}` : '/', 303);
    if (from === 'item')
      return sendPartial(reply, <ItemFeedback item={item} csrf={reply.generateCsrf()} done={kind} />);
    return sendPartial(reply, <RecList {...(await recList(request, reply, genre))} />);
  });

  app.get('/onboarding', async (request, reply) =>
    sendPage(
      reply,
      <OnboardingGenresPage account={me(request)} csrf={reply.generateCsrf()} genres={onboarding.genres()} />,
    ),
  );

  app.post('/onboarding/genres', async (request, reply) => {
    const account = me(request);
    const csrf = reply.generateCsrf();
    try {
      const genres = onboarding.checkGenres(listField(request.body, 'genres', 100, 64));
      const offered = onboarding.popularDiverse(genres);
      return sendPage(
        reply,
        <OnboardingLikesPage account={account} csrf={csrf} genres={genres} offered={offered} />,
      );
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const page = (
        <OnboardingGenresPage
          account={account}
          csrf={csrf}
          genres={onboarding.genres()}
          error={err.message}
        />
      );
      return sendPage(reply, page, statusOf(err));
    }
  });

  app.post('/onboarding', async (request, reply) => {
    const account = me(request);
    await onboarding.complete(
      account.userId,
      listField(request.body, 'genres', 100, 64),
      listField(request.body, 'items', 256, 100),
    );
    await accounts.markOnboarded(account);
    return reply.redirect('/', 303);
  });

  app.get('/browse', async (request, reply) => {
    const q = optionalField(request.query, 'q', 200) ?? '';
    const genre = genreOf(request.query);
    const page = intField(request.query, 'page', 1, 100_000, 1);
    const perPage = 24;
    const found = await data.search.search(q, genre, page, perPage);
    return sendPage(
      reply,
      <BrowsePage
        account={me(request)}
        csrf={reply.generateCsrf()}
        query={q}
        genre={genre}
        genres={services.catalogue.genres()}
        {...found}
        page={page}
        perPage={perPage}
      />,
    );
  });

  app.get<{ Params: { id: string } }>('/items/:id', async (request, reply) => {
    const view = await data.itemPage(me(request), request.params.id);
    return sendPage(reply, <ItemPage account={me(request)} csrf={reply.generateCsrf()} {...view} />);
  });

  app.get('/activity', async (request, reply) =>
    sendPage(
      reply,
      <ActivityPage
        account={me(request)}
        csrf={reply.generateCsrf()}
        rows={await data.activity(me(request))}
      />,
    ),
  );

  app.get('/partials/activity', async (request, reply) =>
    sendPartial(reply, <ActivityList rows={await data.activity(me(request))} />),
  );

  app.get('/account', async (request, reply) =>
    sendPage(reply, <AccountPage account={me(request)} csrf={reply.generateCsrf()} />),
  );

  app.post('/account/password', async (request, reply) => {
    const account = me(request);
    try {
      const signed = await accounts.changePassword(
        account,
        optionalField(request.body, 'currentPassword', 1000) ?? '',
        optionalField(request.body, 'newPassword', 1000) ?? '',
      );
      setSessionCookie(request, reply, signed.token, signed.expiresAt, secureCookies);
      return sendPage(
        reply,
        <AccountPage
          account={signed.account}
          csrf={reply.generateCsrf()}
          message="Password changed; other sessions signed out."
        />,
      );
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return sendPage(
        reply,
        <AccountPage account={account} csrf={reply.generateCsrf()} error={err.message} />,
        statusOf(err),
      );
    }
  });

  app.post('/account/delete', async (request, reply) => {
    const account = me(request);
    try {
      await accounts.deleteAccount(account, optionalField(request.body, 'password', 1000) ?? '');
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return sendPage(
        reply,
        <AccountPage account={account} csrf={reply.generateCsrf()} error={err.message} />,
        statusOf(err),
      );
    }
    clearSessionCookie(reply);
    return reply.redirect('/signup', 303);
  });
};

export default peopleRoutes;

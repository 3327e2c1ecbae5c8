/**
 * The operators' actions (role admin, CSRF proof): retrain (the API's retrainer, in the background), reload
 * the current bundle, promote or demote an account, create or revoke an API key made from the app.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ConflictError, DomainError, InvalidInputError } from '../../errors.js';
import { ACCOUNT_ROLES, type AccountRole } from '../../store/accounts.js';
import { AdminData } from '../admin-data.js';
import { field } from '../form.js';
import { statusOf } from '../plugins/errors.js';
import { sendPage, sendPartial } from '../render.js';
import { AccountsPage, ModelsPage, RetrainStatus } from '../views/admin-models.js';

const admin = { config: { web: 'admin' as const } };

const adminActionRoutes: FastifyPluginAsync = async (app) => {
  const { services, keyRing, accounts } = app.web;
  const data = new AdminData(services, app.retrainer);
  const me = (request: FastifyRequest) => request.account!;

  app.post('/admin/models/retrain', admin, async (request, reply) => {
    try {
      app.retrainer.start();
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
    if (request.headers['hx-request'] === 'true')
      return sendPartial(reply, <RetrainStatus status={await data.retrain()} />);
    return reply.redirect('/admin/models', 303);
  });

  app.post('/admin/models/reload', admin, async (request, reply) => {
    try {
      await services.models.reload();
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return sendPage(
        reply,
        <ModelsPage
          account={me(request)}
          csrf={reply.generateCsrf()}
          {...(await data.modelsView())}
          curveOf={undefined}
          error={err.message}
        />,
        statusOf(err),
      );
    }
    return reply.redirect('/admin/models', 303);
  });

  const accountsPage = async (
    request: FastifyRequest,
    csrf: string,
    extra: { newKey?: { id: string; key: string }; error?: string },
  ) => (
    <AccountsPage
      account={me(request)}
      csrf={csrf}
      accounts={await accounts.list()}
      configured={keyRing.configuredSummary()}
      keys={await keyRing.list()}
      {...extra}
    />
  );

  app.post<{ Params: { id: string } }>('/admin/accounts/:id/role', admin, async (request, reply) => {
    const role = field(request.body, 'role', 10) as AccountRole;
    if (!ACCOUNT_ROLES.includes(role))
      throw new InvalidInputError('role', `must be one of ${ACCOUNT_ROLES.join(', ')}`);
    if (request.params.id === me(request).id)
      throw new InvalidInputError('account', 'you cannot change your own role');
    await accounts.setRole(request.params.id, role);
    return reply.redirect('/admin/accounts', 303);
  });

  app.post('/admin/keys', admin, async (request, reply) => {
    try {
      const role = field(request.body, 'role', 10);
      const newKey = await keyRing.create(
        role as 'client',
        field(request.body, 'label', 200),
        me(request).id,
      );
      return sendPage(reply, await accountsPage(request, reply.generateCsrf(), { newKey }));
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return sendPage(
        reply,
        await accountsPage(request, reply.generateCsrf(), { error: err.message }),
        statusOf(err),
      );
    }
  });

  app.post<{ Params: { id: string } }>('/admin/keys/:id/revoke', admin, async (request, reply) => {
    await keyRing.revoke(request.params.id);
    return reply.redirect('/admin/accounts', 303);
  });
};

export default adminActionRoutes;

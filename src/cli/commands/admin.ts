/**
 * `reco admin create --email ADDRESS`: an operator account for the web app (/admin) with a random password,
 * printed once; an existing account is promoted and given the new password (its sessions revoked). The
 * account's reco user is created by the running server on its first event.
 */
import type { Command } from 'commander';
import { AccountService } from '../../accounts/accounts.js';
import { SessionService } from '../../accounts/sessions.js';
import { SignInThrottle } from '../../accounts/sign-in-throttle.js';
import { openStore } from '../../store/open.js';
import { action, globals } from '../context.js';

export function register(program: Command): void {
  const admin = program.command('admin').description("the web app's operator accounts");
  admin
    .command('create')
    .description('create (or promote) an admin account with a random password, printed once')
    .requiredOption('--email <address>', "the account's email")
    .action(
      action(async (opts: { email: string }, cmd: Command) => {
        const g = globals(cmd);
        const store = await openStore(g.db);
        try {
          const accounts = new AccountService(
            store,
            undefined,
            new SessionService(store.accounts),
            new SignInThrottle(),
          );
          const created = await accounts.createAdmin(opts.email);
          process.stdout.write(`admin account: email ${created.email} password ${created.password}\n`);
        } finally {
          await store.close();
        }
      }),
    );
}

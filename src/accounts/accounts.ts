/**
 * Accounts: sign up, sign in (throttled), sign out, change password, delete, roles. An account is a reco
 * user whose id (`acct-<random>`) the server draws, so no one can choose, and so act as, another user's id
 * from the people's side. Deleting an account removes its personal data (email, display name, password
 * hash, sessions, onboarding genres) and keeps its events, anonymised: they stay under the random user id,
 * which nothing links to the person any more, and keep training the models (docs/app.md).
 */
import { randomBytes } from 'node:crypto';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.js';
import type { UserService } from '../serving/services/users.js';
import type { AccountRecord, AccountRole, AccountStore } from '../store/accounts.js';
import type { Store } from '../store/store.js';
import { SignInRefusedError, ThrottledError } from './errors.js';
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import type { SessionService } from './sessions.js';
import type { SignInThrottle } from './sign-in-throttle.js';

const EMAIL = /^[^\s@<>"]+@[^\s@<>"]+$/;
/** Control characters (C0, DEL, C1) are refused in display names. */
const isControl = (c: string): boolean => {
  const code = c.codePointAt(0)!;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
};

export interface SignUp {
  email: string;
  password: string;
  displayName: string;
}

export interface SignedIn {
  account: AccountRecord;
  token: string;
  expiresAt: number;
}

/** The email as stored (trimmed, lower-cased), or a clear error naming the field. */
export function normaliseEmail(raw: string, field = 'email'): string {
  const email = raw.trim().toLowerCase();
  if (email.length === 0) throw new InvalidInputError(field, 'is required');
  if (email.length > 254) throw new InvalidInputError(field, 'must have at most 254 characters');
  if (!EMAIL.test(email)) throw new InvalidInputError(field, 'must be an email address (name@domain)');
  return email;
}

function displayNameOf(raw: string): string {
  const name = raw.trim();
  if (name.length === 0) throw new InvalidInputError('displayName', 'is required');
  if ([...name].length > 60) throw new InvalidInputError('displayName', 'must have at most 60 characters');
  if ([...name].some(isControl))
    throw new InvalidInputError('displayName', 'must not hold control characters');
  return name;
}

function checkPassword(password: string, field: string): void {
  const problem = passwordProblem(password);
  if (problem) throw new InvalidInputError(field, problem);
}

export class AccountService {
  private readonly accounts: AccountStore;

  constructor(
    private readonly store: Store,
    /** Creates the account's reco user at sign-up (a server's); without it the user is created by his first event. */
    private readonly users: Pick<UserService, 'create'> | undefined,
    readonly sessions: SessionService,
    private readonly throttle: SignInThrottle,
  ) {
    this.accounts = store.accounts;
  }

  /** Creates an account and its reco user; signs it in. */
  async signUp(input: SignUp, role: AccountRole = 'person'): Promise<SignedIn> {
    const email = normaliseEmail(input.email);
    const displayName = displayNameOf(input.displayName);
    checkPassword(input.password, 'password');
    if (await this.accounts.byEmail(email))
      throw new ConflictError('an account with this email exists', 'email');
    const passwordHash = await hashPassword(input.password);
    const account: AccountRecord = {
      id: randomBytes(12).toString('base64url'),
      email,
      displayName,
      passwordHash,
      role,
      userId: `acct-${randomBytes(12).toString('hex')}`,
      createdAt: Date.now(),
      onboarded: false,
    };
    if (!(await this.accounts.create(account)))
      throw new ConflictError('an account with this email exists', 'email');
    await this.users?.create({ id: account.userId });
    return { account, ...(await this.sessions.create(account.id)) };
  }

  /** Checks the password (throttled per account and per address) and opens a session. */
  async signIn(rawEmail: string, password: string, address: string): Promise<SignedIn> {
    const email = rawEmail.trim().toLowerCase().slice(0, 254);
    const wait = await this.throttle.retryAfter(email, address);
    if (wait > 0) throw new ThrottledError(wait);
    const account = await this.accounts.byEmail(email);
    // an unknown email costs what a wrong password does (no timing tells which it was)
    const ok = await verifyPassword(password, account?.passwordHash ?? (await decoyHash()));
    if (!account || !ok) {
      const locked = await this.throttle.failed(email, address);
      if (locked > 0) throw new ThrottledError(locked);
      throw new SignInRefusedError('wrong email or password');
    }
    await this.throttle.succeeded(email);
    return { account, ...(await this.sessions.create(account.id)) };
  }

  async signOut(token: string | undefined): Promise<void> {
    await this.sessions.revoke(token);
  }

  /** A new password: every session of the account is revoked, and a new one opened for this browser. */
  async changePassword(account: AccountRecord, current: string, next: string): Promise<SignedIn> {
    if (!(await verifyPassword(current, account.passwordHash)))
      throw new InvalidInputError('currentPassword', 'is not your current password');
    checkPassword(next, 'newPassword');
    const passwordHash = await hashPassword(next);
    await this.accounts.update(account.id, { passwordHash });
    await this.sessions.revokeAll(account.id);
    return { account: { ...account, passwordHash }, ...(await this.sessions.create(account.id)) };
  }

  /** Deletes the account (password confirmed): personal data removed, events kept anonymised. */
  async deleteAccount(account: AccountRecord, password: string): Promise<void> {
    if (!(await verifyPassword(password, account.passwordHash)))
      throw new InvalidInputError('password', 'is not your password');
    await this.store.transaction(async () => {
      await this.accounts.remove(account.id);
      if (this.store.userIndex(account.userId) !== undefined)
        await this.store.upsertUsers([{ id: account.userId, attributes: {} }]);
    });
  }

  /** Every account, newest first (the operators' page). */
  list(limit = 1000): Promise<AccountRecord[]> {
    return this.accounts.list(limit);
  }

  markOnboarded(account: AccountRecord): Promise<void> {
    return this.accounts.update(account.id, { onboarded: true });
  }

  async setRole(accountId: string, role: AccountRole): Promise<AccountRecord> {
    const account = await this.accounts.byId(accountId);
    if (!account) throw new NotFoundError(`unknown account "${accountId}"`, 'account');
    await this.accounts.update(accountId, { role });
    return { ...account, role };
  }

  /**
   * The first operator: when no admin account exists, one is created with a random password, returned
   * once (printed by `reco serve`, as the API keys are); undefined when one exists.
   */
  async ensureFirstAdmin(
    email = process.env['RECO_ADMIN_EMAIL'] || 'admin@reco.local',
  ): Promise<{ email: string; password: string } | undefined> {
    if ((await this.accounts.count()).admins > 0) return undefined;
    return this.createAdmin(email);
  }

  /** An admin account with a random password (reco admin create); an existing account is promoted and given it. */
  async createAdmin(rawEmail: string): Promise<{ email: string; password: string }> {
    const email = normaliseEmail(rawEmail);
    const password = randomBytes(18).toString('base64url');
    const existing = await this.accounts.byEmail(email);
    if (existing) {
      await this.accounts.update(existing.id, { role: 'admin', passwordHash: await hashPassword(password) });
      await this.sessions.revokeAll(existing.id);
    } else await this.signUp({ email, password, displayName: 'Administrator' }, 'admin');
    const created = (await this.accounts.byEmail(email))!;
    await this.accounts.update(created.id, { onboarded: true });
    await this.sessions.revokeAll(created.id);
    return { email, password };
  }
}

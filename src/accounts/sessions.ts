/**
 * Sessions: a random 256-bit token (base64url) in an HttpOnly, SameSite=Lax cookie; the store keeps only
 * its SHA-256 digest, with the account and an expiry, so that a stolen database holds no usable token and
 * sessions survive a server restart. Revoked on sign-out (that token) and on a password change (every
 * token of the account).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AccountRecord, AccountStore } from '../store/accounts.js';

export const SESSION_COOKIE = 'reco_session';
/** Default lifetime: 14 days. */
export const SESSION_TTL_MS = 14 * 86_400_000;

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export class SessionService {
  constructor(
    private readonly accounts: AccountStore,
    private readonly ttlMs = SESSION_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new session of `accountId`: the token for the cookie and its expiry. */
  async create(accountId: string): Promise<{ token: string; expiresAt: number }> {
    const token = randomBytes(32).toString('base64url');
    const createdAt = this.now();
    const expiresAt = createdAt + this.ttlMs;
    await this.accounts.createSession(tokenDigest(token), { accountId, createdAt, expiresAt });
    return { token, expiresAt };
  }

  /** The account a token signs in, or undefined (unknown, malformed, expired: removed then). */
  async resolve(token: string | undefined): Promise<AccountRecord | undefined> {
    if (token === undefined || !TOKEN.test(token)) return undefined;
    const digest = tokenDigest(token);
    const s = await this.accounts.session(digest);
    if (!s) return undefined;
    if (s.expiresAt <= this.now()) {
      await this.accounts.removeSession(digest);
      return undefined;
    }
    return this.accounts.byId(s.accountId);
  }

  async revoke(token: string | undefined): Promise<void> {
    if (token !== undefined && TOKEN.test(token)) await this.accounts.removeSession(tokenDigest(token));
  }

  revokeAll(accountId: string): Promise<number> {
    return this.accounts.removeSessions(accountId);
  }

  /** Removes expired sessions; returns how many. */
  sweep(): Promise<number> {
    return this.accounts.removeExpiredSessions(this.now());
  }
}

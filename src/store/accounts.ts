/**
 * What the web app keeps in the store beside the data (migration 5 in ./migrations.ts): people's accounts,
 * their sessions (only a SHA-256 digest of each token), API keys created from the app (digests too), and
 * the read-only queries of the operators' pages over the events (latest events across users, counts by
 * minute of ingestion, counts by type). The Store reaches them as `store.accounts` and `store.activity`
 * (./sqlite-accounts.ts, ./sqlite-activity.ts; on PostgreSQL ./pg-accounts.ts, ./pg-activity.ts).
 */
import type { StoredEvent } from './stored-event.js';

export const ACCOUNT_ROLES = ['person', 'admin'] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

/** An account: a person who signs in, and the reco user whose events and recommendations are his. */
export interface AccountRecord {
  /** Random, never chosen by a client. */
  id: string;
  /** Lower-cased; unique. */
  email: string;
  displayName: string;
  /** `scrypt$N$r$p$salt$hash` (../accounts/passwords.ts). */
  passwordHash: string;
  role: AccountRole;
  /** The reco user id (`acct-<random>`), unique. */
  userId: string;
  /** ms since the epoch. */
  createdAt: number;
  /** Whether onboarding (favourite genres, first likes) is done. */
  onboarded: boolean;
}

export interface SessionRecord {
  accountId: string;
  createdAt: number;
  expiresAt: number;
}

/** An API key created from the app: only its SHA-256 digest is kept. */
export interface StoredApiKey {
  id: string;
  role: 'client' | 'admin';
  keyHash: Buffer;
  label: string;
  /** The account that created it. */
  createdBy: string | null;
  createdAt: number;
  revokedAt: number | null;
}

export type AccountPatch = Partial<
  Pick<AccountRecord, 'passwordHash' | 'role' | 'displayName' | 'onboarded'>
>;

export interface AccountStore {
  /** Adds an account; false when its email or user id is taken (nothing written). */
  create(account: AccountRecord): Promise<boolean>;
  byId(id: string): Promise<AccountRecord | undefined>;
  byEmail(email: string): Promise<AccountRecord | undefined>;
  /** Accounts, newest first. */
  list(limit?: number): Promise<AccountRecord[]>;
  count(): Promise<{ accounts: number; admins: number }>;
  update(id: string, patch: AccountPatch): Promise<void>;
  /** Removes the account and its sessions. */
  remove(id: string): Promise<void>;

  createSession(tokenHash: Buffer, session: SessionRecord): Promise<void>;
  /** The session of a token digest, expired ones included (the caller checks `expiresAt`). */
  session(tokenHash: Buffer): Promise<SessionRecord | undefined>;
  removeSession(tokenHash: Buffer): Promise<void>;
  /** Every session of an account (sign-out everywhere, password change); returns how many. */
  removeSessions(accountId: string): Promise<number>;
  removeExpiredSessions(now: number): Promise<number>;

  createApiKey(key: StoredApiKey): Promise<void>;
  /** Every app-created key, revoked ones too, newest first. */
  apiKeys(): Promise<StoredApiKey[]>;
  /** Marks a key revoked; false when there is no such live key. */
  revokeApiKey(id: string, at: number): Promise<boolean>;
}

/** Events counted in one minute of ingestion, by type. */
export interface MinuteCount {
  /** Start of the minute, ms since the epoch. */
  minute: number;
  type: string;
  count: number;
}

export interface ActivityStore {
  /** The latest stored events across every user, newest first (by insertion). */
  latest(limit: number): Promise<(StoredEvent & { position: number })[]>;
  /**
   * Events ingested at or after `since` (ms), counted by minute and type; only those stored after
   * `after` (a position) when given. Returns the position counted up to.
   */
  perMinute(since: number, after?: number): Promise<{ minutes: MinuteCount[]; position: number }>;
  /** Every event counted by type, and the position counted up to. */
  countsByType(): Promise<{ counts: Map<string, number>; position: number }>;
}

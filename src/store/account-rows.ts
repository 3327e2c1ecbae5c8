/**
 * The rows of the web app's tables (accounts, API keys) and of the activity views as both stores read them
 * (./sqlite-accounts.ts, ./pg-accounts.ts, ./sqlite-activity.ts, ./pg-activity.ts), mapped to records in
 * one place. Column names and value types are the same in both (PostgreSQL's booleans aside).
 */
import type { AccountPatch, AccountRecord, AccountRole, SessionRecord, StoredApiKey } from './accounts.js';
import type { StoredEvent } from './stored-event.js';

export interface AccountRow {
  id: string;
  email: string;
  display_name: string;
  password_hash: string;
  role: AccountRole;
  user_id: string;
  created_at: number;
  /** 0/1 in SQLite, a boolean in PostgreSQL. */
  onboarded: number | boolean;
}

export interface KeyRow {
  id: string;
  role: 'client' | 'admin';
  key_hash: Buffer;
  label: string;
  created_by: string | null;
  created_at: number;
  revoked_at: number | null;
}

export interface SessionRow {
  account_id: string;
  created_at: number;
  expires_at: number;
}

/** An account's columns in insertion order (`onboarded` as the store keeps booleans). */
export const ACCOUNT_COLUMNS =
  'id, email, display_name, password_hash, role, user_id, created_at, onboarded' as const;

export function accountValues<B>(a: AccountRecord, bool: (v: boolean) => B): (string | number | B)[] {
  return [a.id, a.email, a.displayName, a.passwordHash, a.role, a.userId, a.createdAt, bool(a.onboarded)];
}

export function accountOf(r: AccountRow): AccountRecord {
  return {
    id: r.id,
    email: r.email,
    displayName: r.display_name,
    passwordHash: r.password_hash,
    role: r.role,
    userId: r.user_id,
    createdAt: r.created_at,
    onboarded: r.onboarded === 1 || r.onboarded === true,
  };
}

/** The columns an AccountPatch may set, by its field. */
const PATCH_COLUMNS = new Map<keyof AccountPatch, string>([
  ['passwordHash', 'password_hash'],
  ['role', 'role'],
  ['displayName', 'display_name'],
  ['onboarded', 'onboarded'],
]);

/** The columns a patch sets and their values, in a fixed order (none: nothing to update). */
export function patchAssignments<B>(
  patch: AccountPatch,
  bool: (v: boolean) => B,
): { columns: string[]; values: (string | B)[] } {
  const columns: string[] = [];
  const values: (string | B)[] = [];
  for (const [field, column] of PATCH_COLUMNS) {
    const v = patch[field];
    if (v === undefined) continue;
    columns.push(column);
    values.push(typeof v === 'boolean' ? bool(v) : v);
  }
  return { columns, values };
}

export const API_KEY_COLUMNS = 'id, role, key_hash, label, created_by, created_at, revoked_at' as const;

export function apiKeyValues(k: StoredApiKey): (string | number | Buffer | null)[] {
  return [k.id, k.role, k.keyHash, k.label, k.createdBy, k.createdAt, k.revokedAt];
}

export function apiKeyOf(r: KeyRow): StoredApiKey {
  return {
    id: r.id,
    role: r.role,
    keyHash: r.key_hash,
    label: r.label,
    createdBy: r.created_by,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  };
}

export function sessionOf(r: SessionRow): SessionRecord {
  return { accountId: r.account_id, createdAt: r.created_at, expiresAt: r.expires_at };
}

/** A row of the latest events (activity views), ids resolved by the query. */
export interface LatestEventRow {
  id: number;
  user: string;
  item: string;
  type: string;
  value: number;
  ts: number;
  ingested_at: number;
}

/** The columns and joins of the latest events, newest first (the caller appends LIMIT). */
export const LATEST_EVENTS_SQL = `SELECT e.id, u.id AS user, i.id AS item, t.name AS type, e.value, e.ts, e.ingested_at
  FROM events e JOIN users u ON u.idx = e.user_idx JOIN items i ON i.idx = e.item_idx
  JOIN event_types t ON t.code = e.type ORDER BY e.id DESC`;

export function latestEventOf(r: LatestEventRow): StoredEvent & { position: number } {
  return {
    position: r.id,
    user: r.user,
    item: r.item,
    type: r.type,
    value: r.value,
    timestamp: r.ts,
    ingestedAt: r.ingested_at,
  };
}

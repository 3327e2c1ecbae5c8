/**
 * API keys with roles. `client` may send events and read (recommendations, items, users); `admin` may also
 * train and manage models. Keys come from RECO_API_KEYS ("role:key,role:key") or a key file holding the
 * same pairs one per line (# comments allowed). `ensureKeyFile` creates the file with fresh random keys
 * (owner-only permissions, 0600) when neither exists, as `npm start` does on first run.
 *
 * Keys are compared in constant time: the presented key and every stored key are hashed with SHA-256 and
 * compared with crypto.timingSafeEqual, always against every stored key (no early exit on a match).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../errors.js';

export const ROLES = ['client', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiKey {
  role: Role;
  key: string;
}

/** Who made a request: the key's role and a short, non-secret id (the hash prefix) for rate limits and logs. */
export interface Principal {
  role: Role;
  id: string;
}

/** Parses "role:key" pairs separated by commas or newlines; `source` names where they came from. */
export function parseApiKeys(text: string, source: string): ApiKey[] {
  const keys: ApiKey[] = [];
  const parts = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .flatMap((line) => line.split(','));
  for (let n = 0; n < parts.length; n++) {
    const raw = parts[n]!.trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const colon = raw.indexOf(':');
    const role = colon > 0 ? raw.slice(0, colon).trim() : '';
    const key = raw.slice(colon + 1).trim();
    if (!(ROLES as readonly string[]).includes(role))
      throw new UsageError(
        `${source}: entry ${n + 1} must be role:key with role one of ${ROLES.join(', ')} (got "${role || raw.slice(0, 12)}")`,
      );
    if (key.length < 8)
      throw new UsageError(`${source}: entry ${n + 1}: the key must have 8 characters or more`);
    keys.push({ role: role as Role, key });
  }
  return keys;
}

/** A new random key: 32 bytes, base64url (43 characters). */
export function generateKey(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The keys from RECO_API_KEYS when set, else from `file`; when neither exists, one client and one admin key
 * are generated into `file` (mode 0600). `generated` says whether that happened (print them then).
 */
export function loadOrCreateKeys(
  file: string,
  env: string | undefined = process.env['RECO_API_KEYS'],
): { keys: ApiKey[]; source: string; generated: boolean } {
  if (env !== undefined && env.trim() !== '') {
    const keys = parseApiKeys(env, 'RECO_API_KEYS');
    if (keys.length === 0) throw new UsageError('RECO_API_KEYS holds no role:key pair');
    return { keys, source: 'RECO_API_KEYS', generated: false };
  }
  if (existsSync(file)) {
    const mode = statSync(file).mode & 0o077;
    if (mode !== 0) chmodSync(file, 0o600);
    const keys = parseApiKeys(readFileSync(file, 'utf8'), file);
    if (keys.length === 0) throw new UsageError(`${file} holds no role:key pair`);
    return { keys, source: file, generated: false };
  }
  const keys: ApiKey[] = [
    { role: 'admin', key: generateKey() },
    { role: 'client', key: generateKey() },
  ];
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(
    file,
    `# reco API keys (role:key), generated ${new Date().toISOString()}; keep this file private\n${keys
      .map((k) => `${k.role}:${k.key}`)
      .join('\n')}\n`,
    { mode: 0o600 },
  );
  chmodSync(file, 0o600);
  return { keys, source: file, generated: true };
}

/** A key's SHA-256 digest: what is kept of it and compared. */
export const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Checks presented keys against the configured ones in constant time. */
export class KeyRing {
  private readonly entries: { hash: Buffer; principal: Principal }[];

  constructor(keys: ApiKey[]) {
    this.entries = keys.map((k) => {
      const hash = sha256(k.key);
      return { hash, principal: { role: k.role, id: `${k.role}-${hash.toString('hex').slice(0, 8)}` } };
    });
  }

  get size(): number {
    return this.entries.length;
  }

  /** The principal of `presented`, or undefined; every stored key is compared whatever the outcome. */
  verify(presented: string): Principal | undefined {
    return this.lookup(sha256(presented));
  }

  /** The principal of a key's digest (every entry compared, in constant time). */
  protected lookup(digest: Buffer): Principal | undefined {
    return matchDigest(digest, this.entries);
  }
}

/** The principal of the first entry whose hash is `digest`; every entry is compared (constant time). */
export function matchDigest(
  digest: Buffer,
  entries: readonly { hash: Buffer; principal: Principal }[],
): Principal | undefined {
  let found: Principal | undefined;
  for (const e of entries) if (timingSafeEqual(digest, e.hash) && found === undefined) found = e.principal;
  return found;
}

/** Whether `role` may do what `needed` allows (admin may do all a client may). */
export function allows(role: Role, needed: Role): boolean {
  return role === 'admin' || needed === 'client';
}

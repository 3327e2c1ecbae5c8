/**
 * API keys created and revoked by operators from the app, beside the configured ones (RECO_API_KEYS or the
 * key file, ../serving/api-keys.ts). The store keeps each key's SHA-256 digest only; a new key is shown once.
 * `AppKeyRing` is the KeyRing the API's auth checks: the configured keys, then the app's live keys, every
 * stored digest compared in constant time whatever the outcome.
 */
import { randomBytes } from 'node:crypto';
import { InvalidInputError, NotFoundError } from '../errors.js';
import {
  type ApiKey,
  generateKey,
  KeyRing,
  matchDigest,
  type Principal,
  type Role,
  sha256,
} from '../serving/api-keys.js';
import type { AccountStore, StoredApiKey } from '../store/accounts.js';

export class AppKeyRing extends KeyRing {
  private live: { hash: Buffer; principal: Principal }[] = [];

  constructor(
    readonly configured: ApiKey[],
    private readonly accounts: AccountStore,
  ) {
    super(configured);
  }

  /** The key ring with the app's live keys read from the store. */
  static async open(configured: ApiKey[], accounts: AccountStore): Promise<AppKeyRing> {
    const ring = new AppKeyRing(configured, accounts);
    await ring.reload();
    return ring;
  }

  /** Reads the app's live keys from the store again. */
  async reload(): Promise<void> {
    this.live = (await this.accounts.apiKeys())
      .filter((k) => k.revokedAt === null)
      .map((k) => ({ hash: k.keyHash, principal: { role: k.role, id: `${k.role}-app-${k.id}` } }));
  }

  protected override lookup(digest: Buffer): Principal | undefined {
    const configured = super.lookup(digest);
    const live = matchDigest(digest, this.live);
    return configured ?? live;
  }

  /** A new key of `role` labelled `label`: returned once, stored as its digest. */
  async create(role: Role, label: string, createdBy: string): Promise<{ id: string; key: string }> {
    const name = label.trim();
    if (name.length === 0 || name.length > 80)
      throw new InvalidInputError('label', 'must have 1 to 80 characters');
    if (role !== 'client' && role !== 'admin') throw new InvalidInputError('role', 'must be client or admin');
    const key = generateKey();
    const id = randomBytes(6).toString('hex');
    const record: StoredApiKey = {
      id,
      role,
      keyHash: sha256(key),
      label: name,
      createdBy,
      createdAt: Date.now(),
      revokedAt: null,
    };
    await this.accounts.createApiKey(record);
    await this.reload();
    return { id, key };
  }

  async revoke(id: string): Promise<void> {
    if (!(await this.accounts.revokeApiKey(id, Date.now())))
      throw new NotFoundError(`no live key "${id}" created from the app`, 'key');
    await this.reload();
  }

  /** The configured keys as the app lists them: role and the digest prefix the logs use, never the key. */
  configuredSummary(): { role: Role; id: string }[] {
    return this.configured.map((k) => ({
      role: k.role,
      id: `${k.role}-${sha256(k.key).toString('hex').slice(0, 8)}`,
    }));
  }

  list(): Promise<StoredApiKey[]> {
    return this.accounts.apiKeys();
  }
}

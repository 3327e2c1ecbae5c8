/**
 * The store contract's harness: each behaviour runs on every store (SQLite, PostgreSQL). The PostgreSQL
 * stores live in schemas of their own in the machine's `test` database (RECO_TEST_PG, default
 * postgres://postgres@127.0.0.1:5432/test), dropped afterwards; under CI=true an unreachable PostgreSQL
 * fails the suite instead of skipping it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { pgSchemas, pgSkip } from './pg.js';

interface Backend {
  name: 'sqlite' | 'postgres';
  /** A location for a new, empty store (the same location opened twice is the same store). */
  location(): string;
  cleanup(): Promise<void>;
}

function sqliteBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), 'reco-contract-'));
  let n = 0;
  return {
    name: 'sqlite',
    location: () => join(dir, `s${n++}.db`),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** PostgreSQL stores, each in a new schema of the test database; `cleanup` drops them. */
export function pgBackend(): Backend {
  const schemas = pgSchemas();
  return { name: 'postgres', location: schemas.location, cleanup: schemas.drop };
}

/** What a contract suite's behaviours get: the backend's name and fresh stores (closed and dropped after). */
export interface ContractContext {
  backend: Backend['name'];
  /** Opens a store: a new, empty one, or the one at `location` again. */
  fresh(location?: string): Promise<{ store: Store; location: string }>;
  /** A location for a new, empty store without opening it. */
  location(): string;
}

/** Declares `define`'s tests once per store, in a `describe` named `store contract: <title> (<backend>)`. */
export async function storeContract(title: string, define: (c: ContractContext) => void): Promise<void> {
  const pgSkipped = await pgSkip(`the store contract (${title})`);
  for (const make of [sqliteBackend, pgBackend]) {
    const backend = make();
    const skip = backend.name === 'postgres' ? pgSkipped : false;
    describe(`store contract: ${title} (${backend.name})`, { skip }, () => {
      const open: Store[] = [];
      const fresh = async (location = backend.location()) => {
        const s = await openStore(location);
        open.push(s);
        return { store: s, location };
      };
      after(async () => {
        for (const s of open) await s.close().catch(() => undefined);
        await backend.cleanup();
      });
      define({ backend: backend.name, fresh, location: () => backend.location() });
    });
  }
}

/**
 * The two stores for a suite that opens its own (makeWorld, a service over a store), in order: whether each
 * skips, and `db()`, undefined for SQLite (the suite's own file) or a new PostgreSQL schema, dropped after
 * the file's tests.
 */
export async function storeKinds(): Promise<
  { name: Backend['name']; skip: string | false; db(): string | undefined }[]
> {
  const skip = await pgSkip('the tests on both stores');
  const pg = pgBackend();
  if (!skip) after(() => pg.cleanup());
  return [
    { name: 'sqlite', skip: false, db: () => undefined },
    { name: 'postgres', skip, db: () => pg.location() },
  ];
}

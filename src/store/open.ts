import { isPgLocation } from './pg-location.js';
import { PgStore } from './pg-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

/**
 * Opens the store at `path`: a SQLite file (created with its folder as needed), or a PostgreSQL database
 * given as postgres://... (`?schema=NAME` for a schema other than public); the schema is migrated as needed.
 */
export async function openStore(path: string): Promise<Store> {
  return isPgLocation(path) ? PgStore.open(path) : new SqliteStore(path);
}

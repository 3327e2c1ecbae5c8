import { SqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

/** Opens the store at `path` (creating the file and its folder, and migrating the schema, as needed). */
export function openStore(path: string): Store {
  return new SqliteStore(path);
}

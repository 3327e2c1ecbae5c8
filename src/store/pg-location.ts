/**
 * Where a PostgreSQL store is (./pg-store.ts): a postgres:// URL with an optional `?schema=`, told apart from
 * a SQLite file, and shown without its password.
 */
import { InputError } from '../errors.js';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** Whether a --db value names a PostgreSQL database. */
export function isPgLocation(location: string): boolean {
  return /^postgres(ql)?:\/\//.test(location);
}

/** The connection string without its `schema` parameter, the schema (default `public`), and a display name. */
export function parsePgLocation(location: string): { url: string; schema: string; display: string } {
  let u: URL;
  try {
    u = new URL(location);
  } catch {
    throw new InputError(`--db: not a PostgreSQL URL: "${location.slice(0, 200)}"`);
  }
  const schema = u.searchParams.get('schema') ?? 'public';
  if (!SCHEMA_NAME.test(schema))
    throw new InputError(
      `--db: schema "${schema.slice(0, 80)}" must be a lower-case SQL name ([a-z_][a-z0-9_]*)`,
    );
  u.searchParams.delete('schema');
  const url = u.toString();
  if (u.password) u.password = '***';
  return { url, schema, display: `${u.toString()}${schema === 'public' ? '' : ` (schema ${schema})`}` };
}

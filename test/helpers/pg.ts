/**
 * The machine's PostgreSQL for tests (RECO_TEST_PG, default postgres://postgres@127.0.0.1:5432/test): whether
 * it answers, and schemas of their own for a suite's stores, dropped afterwards. Under CI=true a suite that
 * needs it must fail, never skip, when it does not answer (pgSkip throws).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_URL = process.env['RECO_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function pgReachable(url = PG_URL): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

/** The reason to skip a suite needing PostgreSQL (false when it answers); throws under CI=true. */
export async function pgSkip(suite: string): Promise<string | false> {
  if (await pgReachable()) return false;
  if (process.env['CI'] === 'true')
    throw new Error(
      `PostgreSQL is not reachable at ${PG_URL}: .ci/run starts it; ${suite} must run under CI`,
    );
  return `PostgreSQL not reachable at ${PG_URL}`;
}

/** Store locations, each in a fresh schema of its own; `drop` removes every schema handed out. */
export function pgSchemas(
  prefix = 'reco_test',
  url = PG_URL,
): {
  location(): string;
  schema(): string;
  drop(): Promise<void>;
} {
  const schemas: string[] = [];
  const schema = () => {
    const s = `${prefix}_${randomBytes(6).toString('hex')}`;
    schemas.push(s);
    return s;
  };
  return {
    schema,
    location: () => `${url}?schema=${schema()}`,
    drop: async () => {
      if (schemas.length === 0) return;
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        for (const s of schemas.splice(0)) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

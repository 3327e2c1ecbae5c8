/**
 * What the serving benchmarks (./serve.ts, ./stall.ts) share: the MovieLens-sized simulated world trained
 * with the ranked model over about 300 candidates a request (or a given trained database, copied: the
 * runs write events and bundles), and a real `reco serve` process over it.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type autocannon from 'autocannon';

const here = dirname(fileURLToPath(import.meta.url));
export const CLI = join(here, '..', 'src', 'cli', 'main.js');
export const KEY = 'bench-client-key-0123456789';
export const ADMIN_KEY = 'bench-admin-key-0123456789';
/** Ranked candidate sources giving about 300 candidates a user (303.5 on average on MovieLens 100K). */
export const SOURCES_300 = { hybrid: 300, ease: 120, itemknn: 60, popularity: 30 };

export function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Runs `reco ARGS`, printing its time; throws when it fails. */
export function run(args: string[]): void {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`reco ${args.join(' ')} failed (${r.status ?? r.signal})`);
  console.log(`  reco ${args.slice(2).join(' ')}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/**
 * A trained world in a new temporary folder (returned with its database): `--db PATH` copied with its
 * bundles, else simulated (movielens preset, seed 1) and trained (`--models LIST`; the ranked model over
 * about 300 candidates unless --default-sources).
 */
export function trainedWorld(prefix: string): { dir: string; db: string } {
  const given = arg('db');
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const db = join(dir, 'reco.db');
  if (given) {
    if (!existsSync(given)) throw new Error(`--db ${given}: no such file`);
    for (const suffix of ['', '-wal']) if (existsSync(given + suffix)) cpSync(given + suffix, db + suffix);
    const models = join(dirname(given), 'models');
    if (existsSync(models)) cpSync(models, join(dir, 'models'), { recursive: true });
  }
  if (!existsSync(db)) run(['--db', db, '-q', 'simulate', '--preset', 'movielens', '--seed', '1']);
  const models = arg('models');
  if (!existsSync(join(dirname(db), 'models', 'current'))) {
    const sources = process.argv.includes('--default-sources')
      ? []
      : ['--params', JSON.stringify({ ranked: { sources: SOURCES_300 } })];
    run(['--db', db, '-q', 'train', ...(models ? ['--models', models] : []), ...sources]);
  }
  return { dir, db };
}

/** `reco serve` on a free port (rate limit off, client and admin keys above); resolves once it listens. */
export function startServer(
  db: string,
  options: { cache: boolean; env?: Record<string, string> },
): Promise<{ child: ChildProcess; url: string; threads: string }> {
  const args = [CLI, '--db', db, 'serve', '--port', '0', '--rate-limit', '0', '--no-watch'];
  if (!options.cache) args.push('--cache-size', '0');
  const child = spawn(process.execPath, args, {
    env: { ...process.env, RECO_API_KEYS: `client:${KEY},admin:${ADMIN_KEY}`, ...options.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /on (http:\/\/[^\s]+)/.exec(out);
      const th = /ranked answers computed ([^\n]+)/.exec(out);
      if (m && th) resolve({ child, url: m[1]!, threads: th[1]! });
    });
    child.on('exit', (code) => reject(new Error(`server ended (${code}): ${out}`)));
  });
}

/** Stops a server started by startServer. */
export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

/** 2,000 requests for random users u1..u943 (a seeded LCG), each path made by `path`. */
export function userRequests(path: (u: number) => string, seed: number): autocannon.Request[] {
  let s = seed;
  return Array.from({ length: 2000 }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return { method: 'GET', path: path((s % 943) + 1) };
  });
}

/**
 * Test helpers for the web app in a real browser: Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH)
 * driven by playwright-core, with a fresh profile and the flags this closed network needs; and a real
 * `reco serve` process over a small simulated world, restartable (sessions must survive a restart).
 * Without Chromium the browser tests skip, except under CI=true, where they fail.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');

export const CHROMIUM = process.env['CHROMIUM_PATH'] || '/usr/bin/chromium';

/** Why the browser tests cannot run here (undefined: they can); under CI=true they must. */
export function browserMissing(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const why = `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (process.env['CI'] === 'true') throw new Error(`CI=true: browser tests must run, but ${why}`);
  return why;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // the profile: playwright gives every launch a fresh temporary --user-data-dir of its own
    ],
  });
}

/** Runs `reco ARGS` to completion (quiet), failing the test on a non-zero exit. */
export function recoSync(db: string, ...args: string[]): string {
  const r = spawnSync(process.execPath, [main, '--db', db, '-q', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`reco ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

export interface Served {
  url: string;
  stdout: string;
  adminEmail?: string;
  adminPassword?: string;
  keys: Map<string, string>;
  stop(): Promise<void>;
}

/** Starts `reco serve` on a free port and resolves once it listens, with what it printed. */
export function startServe(db: string, env: Record<string, string> = {}): Promise<Served> {
  const child: ChildProcess = spawn(
    process.execPath,
    [main, '--db', db, 'serve', '--port', '0', '--rank-threads', '0'],
    {
      env: { ...process.env, RECO_DB: '', RECO_SCRYPT_LOG2N: '12', RECO_SIGNIN_LOCK_SECONDS: '3', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => {
    err += String(d);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`reco serve did not start: ${err}`)), 60_000);
    child.once('exit', (code) => reject(new Error(`reco serve exited (${code}): ${err}`)));
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
      if (!m || !out.includes('rate limit')) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const admin = /first admin account \(shown once\): email (\S+) password (\S+)/.exec(out);
      const keys = new Map<string, string>();
      for (const k of out.matchAll(/^ {2}(admin|client) +(\S+)$/gm)) keys.set(k[1]!, k[2]!);
      resolve({
        url: m[1]!,
        stdout: out,
        ...(admin ? { adminEmail: admin[1]!, adminPassword: admin[2]! } : {}),
        keys,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/**
 * `reco start` as a product on a small world: the first start fits the quick models and serves the app
 * (address and the first admin's credentials printed), training the rest in the background; a second
 * start on unchanged data serves the bundle it finds.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/cli.js';
import { recoSync } from './browser.js';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');

/** Runs `reco start` until its output matches `until`, then stops it; returns stdout and stderr. */
function startUntil(db: string, until: RegExp): Promise<string> {
  const child: ChildProcess = spawn(process.execPath, [main, '--db', db, 'start', '--port', '0'], {
    env: { ...process.env, RECO_DB: '', RECO_SCRYPT_LOG2N: '12', RECO_RANK_THREADS: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`reco start did not print ${until}: ${out}`));
    }, 120_000);
    const seen = (d: Buffer) => {
      out += String(d);
      if (!until.test(out)) return;
      clearTimeout(timer);
      child.once('exit', () => resolve(out));
      child.kill('SIGTERM');
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', seen);
  });
}

test('reco start: quick models served with the app and the first admin printed; a second start reuses the bundle', async () => {
  const db = join(tempDir('reco-start-'), 'reco.db');
  recoSync(db, 'simulate', '--users', '120', '--items', '80', '--events', '4000', '--seed', '2');
  const first = await startUntil(db, /training every model/);
  assert.match(first, /fitting the quick models \(popularity, itemknn, als, ease\)/);
  assert.match(
    first,
    /reco: web app http:\/\/127\.0\.0\.1:\d+\/ \(operators: http:\/\/127\.0\.0\.1:\d+\/admin\)/,
  );
  assert.match(first, /first admin account \(shown once\): email admin@reco\.local password \S{24}/);
  const second = await startUntil(db, /rate limit/);
  assert.match(second, /the data is unchanged since bundle \d{8}-\d{6}-\d{3}: serving it/);
  assert.doesNotMatch(second, /first admin account/, 'printed once');
});

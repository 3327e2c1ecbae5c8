/** Test helpers: run the built `reco` command in a child process, and a temporary folder per test file. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');

export interface RecoRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `reco ARGS` (RECO_DB cleared, so that --db or the default applies). */
export function reco(...args: string[]): RecoRun {
  const r = spawnSync(process.execPath, [main, ...args], {
    encoding: 'utf8',
    env: { ...process.env, RECO_DB: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A temporary folder removed when the test file ends. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

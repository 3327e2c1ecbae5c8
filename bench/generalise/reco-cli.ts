/**
 * Runs the `reco` command as a user would (`node dist/src/cli/main.js --db DB -q ARGS`), in a child process,
 * timing it (wall) and following its peak resident set size: VmHWM of /proc/PID/status (the kernel's
 * high-water mark of the process, worker threads included), read every 100 ms while it runs (Linux only;
 * 0 elsewhere). Growth in the last 100 ms before the exit goes unseen.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../shared-data.js';

export const RECO_MAIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

export interface RecoRun {
  /** The command line as a user would type it (`reco ...`). */
  command: string;
  seconds: number;
  /** Peak resident set size in bytes (0 when /proc cannot tell). */
  peakRss: number;
  /** Exit code (null when killed by a signal). */
  code: number | null;
  /** The end of what the command printed on stderr. */
  stderr: string;
}

function highWaterMark(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function reco(db: string, args: string[]): Promise<RecoRun> {
  const command = `reco --db ${db} -q ${args.join(' ')}`;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [RECO_MAIN, '--db', db, '-q', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let peakRss = 0;
    const timer = setInterval(() => {
      peakRss = Math.max(peakRss, highWaterMark(child.pid));
    }, 100);
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      stderr = (stderr + s).slice(-4000);
    });
    child.on('error', (err) => {
      clearInterval(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ command, seconds: (performance.now() - t0) / 1000, peakRss, code, stderr: stderr.trim() });
    });
  });
}

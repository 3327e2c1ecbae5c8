/**
 * Runs the `reco` command as a user would (`node dist/src/cli/main.js --db DB -q ARGS`), in a child process,
 * timing it (wall) and following its peak resident set size: VmHWM of /proc/PID/status (the kernel's
 * high-water mark of the process, worker threads included), read every 100 ms while it runs (Linux only;
 * 0 elsewhere), and its CPU time (user + system of every thread, /proc/PID/stat) at the last reading: on a
 * shared machine wall time overstates the cost. Growth in the last 100 ms before the exit goes unseen.
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
  /** CPU seconds (user + system, all threads) at the last reading (0 when /proc cannot tell). */
  cpuSeconds: number;
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

/** utime + stime of a process in seconds (fields 14 and 15 of /proc/PID/stat, in clock ticks of 1/100 s). */
function cpuTime(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
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
    let cpuSeconds = 0;
    const timer = setInterval(() => {
      peakRss = Math.max(peakRss, highWaterMark(child.pid));
      cpuSeconds = Math.max(cpuSeconds, cpuTime(child.pid));
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
      resolve({
        command,
        seconds: (performance.now() - t0) / 1000,
        peakRss,
        cpuSeconds,
        code,
        stderr: stderr.trim(),
      });
    });
  });
}

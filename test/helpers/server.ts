/**
 * A real `reco serve` process on port 0 over a store, for tests and benchmarks that talk to the server as
 * a client would (over HTTP, in another process): started with the given API keys, resolved once it
 * listens, stopped with SIGTERM (SIGKILL after a grace period).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** What the server wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed). */
  stop(graceMs?: number): Promise<number | null>;
}

export async function startServer(
  db: string,
  keys: { role: string; key: string }[],
  args: string[] = [],
  timeoutMs = 180_000,
  options: { watch?: boolean; env?: Record<string, string> } = {},
): Promise<ServerProcess> {
  const watch = options.watch ? [] : ['--no-watch'];
  const child = spawn(process.execPath, [CLI, '--db', db, 'serve', '--port', '0', ...watch, ...args], {
    env: {
      ...process.env,
      RECO_API_KEYS: keys.map((k) => `${k.role}:${k.key}`).join(','),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${timeoutMs} ms: ${out}`));
    }, timeoutMs);
    const onData = () => {
      const m = /serving .* on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server ended early (${code}): ${out}`));
    });
  });
  return {
    url,
    child,
    output: () => out,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/**
 * Where a run comes from: the reco version (package.json), the git commit of the code when it runs from
 * a checkout, the OS user, and a fingerprint of the data it saw (counts, last event time, a hash of the
 * event log's columns), so that two runs can be told apart by code and by data.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventLog } from '../types.js';

interface Package {
  root: string;
  version: string;
}

let pkg: Package | undefined;

/** The folder of reco's own package.json, above this module (dist/src/tracking/ or src/tracking/). */
function recoPackage(): Package {
  if (pkg) return pkg;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const json = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (json.name === 'reco') return (pkg = { root: dir, version: json.version ?? 'unknown' });
    }
    const up = dirname(dir);
    if (up === dir) return (pkg = { root: dir, version: 'unknown' });
    dir = up;
  }
}

export function recoVersion(): string {
  return recoPackage().version;
}

let commit: { value: string | undefined } | undefined;

/**
 * The commit checked out where reco's code lives (`git rev-parse HEAD`), or undefined: git missing, not a
 * checkout, or reco installed inside another project's checkout (whose commit says nothing of reco).
 */
export function gitCommit(): string | undefined {
  if (commit) return commit.value;
  const { root } = recoPackage();
  let value: string | undefined;
  try {
    const out = execFileSync('git', ['rev-parse', '--show-toplevel', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    }).split('\n');
    const top = out[0]?.trim();
    const head = out[1]?.trim();
    if (top && head && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(head) && realpathSync(top) === realpathSync(root))
      value = head;
  } catch {
    value = undefined;
  }
  commit = { value };
  return value;
}

/** The OS user running reco (MLflow's `mlflow.user`). */
export function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

export interface DataFingerprint {
  events: number;
  users: number;
  items: number;
  /** ms since the epoch; null without events. */
  lastEvent: number | null;
  /** sha256 (hex) of the log's columns, see eventLogHash. */
  hash: string;
}

/**
 * sha256 of an event log: its five columns (user, item, type, value, timestamp: each column's length as
 * a uint32 then its typed-array bytes, little-endian), then the user ids, item ids and type names (each
 * list joined by newlines, followed by a NUL). Two stores with the same events in the same order and the
 * same ids hash alike.
 */
export function eventLogHash(log: EventLog): string {
  const h = createHash('sha256');
  const n = log.length;
  const size = Buffer.alloc(4);
  for (const column of [log.user, log.item, log.type, log.value, log.timestamp]) {
    const a = column.subarray(0, n);
    size.writeUInt32LE(n);
    h.update(size);
    h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  for (const ids of [log.userIds, log.itemIds, log.typeNames]) h.update(`${ids.join('\n')}\0`);
  return h.digest('hex');
}

export function dataFingerprint(log: EventLog): DataFingerprint {
  return {
    events: log.length,
    users: log.userIds.length,
    items: log.itemIds.length,
    lastEvent: log.length > 0 ? log.timestamp[log.length - 1]! : null,
    hash: eventLogHash(log),
  };
}

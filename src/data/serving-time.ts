/**
 * The one rule for the time a recommendation is made at, offline (`reco recommend`, `reco evaluate`): a
 * model with point-in-time features (ranked) computes them as of that time (UserProfile.at).
 * - 'user': each user as of his own last event + 1 ms: when he comes back (the default over a log, where
 *   users were last active in different eras);
 * - 'now': every user as of the models' now (the last event of the data they were fitted on + 1 ms): what a
 *   live server does;
 * - a time (ms since the epoch): every user as of then.
 */
import { UsageError } from '../errors.js';
import type { EventLog } from '../types.js';

export type ServingTimeRule = { kind: 'user' } | { kind: 'now' } | { kind: 'time'; at: number };

/** `--at user|now|DATE|MS` -> the rule. */
export function parseServingTime(raw: string, option = '--at'): ServingTimeRule {
  if (raw === 'user') return { kind: 'user' };
  if (raw === 'now') return { kind: 'now' };
  const at = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(at))
    throw new UsageError(
      `${option} must be user, now, a date (2024-03-01) or ms since the epoch, got "${raw}"`,
    );
  return { kind: 'time', at };
}

/** Per user, his last event's time + 1 ms (NaN for users without events). */
export function userServingTimes(log: EventLog): Float64Array {
  const at = new Float64Array(log.userIds.length).fill(Number.NaN);
  for (let e = 0; e < log.length; e++) {
    const u = log.user[e]!;
    const t = log.timestamp[e]! + 1;
    if (!(t <= at[u]!)) at[u] = t;
  }
  return at;
}

/** Per user, the time he is served at under `rule` over the events of `log`; undefined for 'now'. */
export function servingTimes(log: EventLog, rule: ServingTimeRule): Float64Array | undefined {
  if (rule.kind === 'now') return undefined;
  if (rule.kind === 'user') return userServingTimes(log);
  return new Float64Array(log.userIds.length).fill(rule.at);
}

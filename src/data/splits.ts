/**
 * Train/test splits of an EventLog for offline evaluation, and the relevance judgements of the test side.
 *
 * Every split marks each event of the (time-sorted) log as train or test (`isTest`, one byte per event) and
 * returns both sides as EventLogs with the same dense indices, still in time order:
 *
 * - `random` (per user, seeded): for each user in index order, his m distinct items (in order of first
 *   event) are shuffled by Fisher-Yates with the seeded Rng of ../simulation/random.ts (one stream for the
 *   whole split); the first round(ratio * m) go to train, the rest to test. The unit is the (user, item)
 *   pair, so all of a user's events on one item fall on the same side (with one event per pair, as in
 *   rating data, this is shuffling his events).
 * - `global` (temporal cut): every event before time `cut` is train, the rest test; `cut` is a date or the
 *   timestamp at quantile `ratio` of all events (train = the first `ratio` of the log, ties all to test).
 * - `leave-last` (leave last n per user): each user's n latest events are test when he has more than n.
 * - `temporal` (per user fraction): each user's latest m - round(ratio * m) events are test (ratio 0.8
 *   holds out his latest 20%).
 *
 * Per-user splits keep at least one train event for every user with two or more (pairs or events).
 * Timestamp ties keep log order (the earlier stored event counts as earlier).
 */

import { Rng } from '../core/random.js';
import { UsageError } from '../errors.js';
import type { Csr, EventLog } from '../types.js';
import { eventWeights, type InteractionWeights, interactionWeights } from './interactions.js';

export const SPLIT_KINDS = ['random', 'global', 'leave-last', 'temporal'] as const;
export type SplitKind = (typeof SPLIT_KINDS)[number];

export interface SplitOptions {
  kind: SplitKind;
  /** Train fraction: random (of each user's items), global (time quantile), temporal (of each user's events). */
  ratio?: number;
  /** PRNG seed for `random`. */
  seed?: number;
  /** Events held out per user for `leave-last`. */
  n?: number;
  /** Cut time (ms since the epoch) for `global`; overrides `ratio`. */
  cut?: number;
}

export interface Split {
  kind: SplitKind;
  /** One line saying exactly what was done (for tables and manifests). */
  description: string;
  /** isTest[e] = 1 when event e of the source log is on the test side. */
  isTest: Uint8Array;
  train: EventLog;
  test: EventLog;
  /** For `global`: the cut time; test events are at or after it. */
  cut?: number;
}

/** The default train fraction of each split kind. */
export function defaultRatio(kind: SplitKind): number {
  return kind === 'random' ? 0.75 : 0.8;
}

/** Events grouped by user: user u's event indices are order[indptr[u]..indptr[u+1]), in log (time) order. */
export function eventsByUser(log: EventLog): { indptr: Int32Array; order: Int32Array } {
  const nUsers = log.userIds.length;
  const indptr = new Int32Array(nUsers + 1);
  for (let e = 0; e < log.length; e++) indptr[log.user[e]! + 1]!++;
  for (let u = 0; u < nUsers; u++) indptr[u + 1]! += indptr[u]!;
  const next = indptr.slice(0, nUsers);
  const order = new Int32Array(log.length);
  for (let e = 0; e < log.length; e++) order[next[log.user[e]!]!++] = e;
  return { indptr, order };
}

/** The events with mask[e] === want, as a new log (same ids, same order). */
export function subsetLog(log: EventLog, mask: Uint8Array, want: number): EventLog {
  let n = 0;
  for (let e = 0; e < log.length; e++) if (mask[e] === want) n++;
  const user = new Int32Array(n);
  const item = new Int32Array(n);
  const type = new Uint8Array(n);
  const value = new Float32Array(n);
  const timestamp = new Float64Array(n);
  let k = 0;
  for (let e = 0; e < log.length; e++) {
    if (mask[e] !== want) continue;
    user[k] = log.user[e]!;
    item[k] = log.item[e]!;
    type[k] = log.type[e]!;
    value[k] = log.value[e]!;
    timestamp[k] = log.timestamp[e]!;
    k++;
  }
  return {
    userIds: log.userIds,
    itemIds: log.itemIds,
    typeNames: log.typeNames,
    user,
    item,
    type,
    value,
    timestamp,
    length: n,
  };
}

/** How many of m units stay in train: round(ratio * m), at least 1 when m >= 2. */
export function trainCount(m: number, ratio: number): number {
  const t = Math.round(ratio * m);
  return m >= 2 && t < 1 ? 1 : Math.min(t, m);
}

function checkRatio(ratio: number): void {
  if (!(ratio > 0 && ratio < 1))
    throw new UsageError(`--ratio must be between 0 and 1 (exclusive), got ${ratio}`);
}

function randomMask(log: EventLog, ratio: number, seed: number): Uint8Array {
  const { indptr, order } = eventsByUser(log);
  const nItems = log.itemIds.length;
  const owner = new Int32Array(nItems).fill(-1); // user whose pass last saw the item
  const toTest = new Uint8Array(nItems);
  const distinct = new Int32Array(nItems);
  const isTest = new Uint8Array(log.length);
  const rng = new Rng(seed);
  for (let u = 0; u + 1 < indptr.length; u++) {
    let m = 0;
    for (let k = indptr[u]!; k < indptr[u + 1]!; k++) {
      const i = log.item[order[k]!]!;
      if (owner[i] !== u) {
        owner[i] = u;
        distinct[m++] = i;
      }
    }
    rng.shuffle(distinct.subarray(0, m));
    const nTrain = trainCount(m, ratio);
    for (let j = 0; j < m; j++) toTest[distinct[j]!] = j >= nTrain ? 1 : 0;
    for (let k = indptr[u]!; k < indptr[u + 1]!; k++) {
      const e = order[k]!;
      isTest[e] = toTest[log.item[e]!]!;
    }
  }
  return isTest;
}

/** Timestamp at quantile q of the log: the time of event floor(q * length) in time order. */
export function timeQuantile(log: EventLog, q: number): number {
  if (log.length === 0) return 0;
  const ts = log.timestamp;
  let sorted = true;
  for (let e = 1; e < log.length && sorted; e++) if (ts[e]! < ts[e - 1]!) sorted = false;
  const arr = sorted ? ts : Float64Array.from(ts.subarray(0, log.length)).sort();
  return arr[Math.min(log.length - 1, Math.floor(q * log.length))]!;
}

/** Marks the last `nTest(m)` events (time order, ties by log order) of every user as test. */
function lastEventsMask(log: EventLog, nTest: (m: number) => number): Uint8Array {
  const { indptr, order } = eventsByUser(log);
  const ts = log.timestamp;
  const isTest = new Uint8Array(log.length);
  for (let u = 0; u + 1 < indptr.length; u++) {
    const start = indptr[u]!;
    const end = indptr[u + 1]!;
    const events = order.subarray(start, end);
    // the log is normally time-sorted already; sort defensively (stable on event index)
    events.sort((a, b) => ts[a]! - ts[b]! || a - b);
    const t = nTest(end - start);
    for (let k = end - start - t; k < end - start; k++) isTest[events[k]!] = 1;
  }
  return isTest;
}

/** Splits `log` as `options` say. */
export function splitLog(log: EventLog, options: SplitOptions): Split {
  const kind = options.kind;
  let isTest: Uint8Array;
  let description: string;
  let cut: number | undefined;
  switch (kind) {
    case 'random': {
      const ratio = options.ratio ?? defaultRatio(kind);
      const seed = options.seed ?? 42;
      checkRatio(ratio);
      isTest = randomMask(log, ratio, seed);
      description = `random per-user ${ratio}/${+(1 - ratio).toFixed(6)} of (user, item) pairs, seed ${seed}`;
      break;
    }
    case 'global': {
      let how: string;
      if (options.cut !== undefined) {
        cut = options.cut;
        how = `at ${new Date(cut).toISOString()}`;
      } else {
        const ratio = options.ratio ?? defaultRatio(kind);
        checkRatio(ratio);
        cut = timeQuantile(log, ratio);
        how = `at the ${ratio} time quantile (${new Date(cut).toISOString()})`;
      }
      isTest = new Uint8Array(log.length);
      for (let e = 0; e < log.length; e++) isTest[e] = log.timestamp[e]! >= cut ? 1 : 0;
      description = `global temporal cut ${how}`;
      break;
    }
    case 'leave-last': {
      const n = options.n ?? 1;
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--n must be a positive integer, got ${n}`);
      isTest = lastEventsMask(log, (m) => (m > n ? n : 0));
      description = `leave last ${n} event${n === 1 ? '' : 's'} per user out`;
      break;
    }
    case 'temporal': {
      const ratio = options.ratio ?? defaultRatio(kind);
      checkRatio(ratio);
      isTest = lastEventsMask(log, (m) => m - trainCount(m, ratio));
      description = `temporal per user: each user's latest ${+((1 - ratio) * 100).toFixed(4)}% of events held out`;
      break;
    }
    default:
      throw new UsageError(`unknown split "${kind as string}"; valid: ${SPLIT_KINDS.join(', ')}`);
  }
  const split: Split = {
    kind,
    description,
    isTest,
    train: subsetLog(log, isTest, 0),
    test: subsetLog(log, isTest, 1),
  };
  if (cut !== undefined) split.cut = cut;
  return split;
}

export interface TestSet {
  /** Users evaluated (ascending): at least one relevant unseen test item and at least one train event. */
  users: Int32Array;
  /** Rows: all users; columns: items; the relevant test items not in the user's train side, value = grade. */
  relevant: Csr;
  /** Per user: the time of his first test event (NaN when none): his cutoff in a temporal split. */
  firstTestTime: Float64Array;
  /** Users with relevant test items but no train event (cold start), not evaluated. */
  coldUsers: number;
}

/**
 * The ground truth of a split: for every user, the items he interacted with positively on the test side,
 * and which he had not already on the train side (those are excluded from recommendations, so they cannot
 * be found). An event is relevant when its interaction weight (./interactions.ts, the weights
 * the models fit on) is positive: every rating, every view, click, like or purchase, never a dislike. Its
 * grade is the rating value for a rating, the interaction weight otherwise; an item's grade is the largest
 * of its test events.
 */
export function buildTestSet(split: Split, weights: InteractionWeights = interactionWeights()): TestSet {
  const { train, test } = split;
  const nUsers = train.userIds.length;
  const nItems = train.itemIds.length;
  const ratingCode = test.typeNames.indexOf('rating');
  const weightOf = eventWeights(test, weights);
  const trainEvents = eventsByUser(train);
  const testEvents = eventsByUser(test);
  const seenBy = new Int32Array(nItems).fill(-1);
  const gradeOwner = new Int32Array(nItems).fill(-1);
  const grade = new Float64Array(nItems);
  const scratch = new Int32Array(nItems);
  const firstTestTime = new Float64Array(nUsers).fill(Number.NaN);
  const indptr = new Int32Array(nUsers + 1);
  const cols: number[] = [];
  const vals: number[] = [];
  const users: number[] = [];
  let coldUsers = 0;
  for (let u = 0; u < nUsers; u++) {
    for (let k = trainEvents.indptr[u]!; k < trainEvents.indptr[u + 1]!; k++)
      seenBy[train.item[trainEvents.order[k]!]!] = u;
    let m = 0;
    for (let k = testEvents.indptr[u]!; k < testEvents.indptr[u + 1]!; k++) {
      const e = testEvents.order[k]!;
      if (k === testEvents.indptr[u]) firstTestTime[u] = test.timestamp[e]!;
      const i = test.item[e]!;
      if (seenBy[i] === u) continue;
      if (!(weightOf[e]! > 0)) continue;
      const g = test.type[e] === ratingCode ? test.value[e]! : weightOf[e]!;
      if (!(g > 0)) continue;
      if (gradeOwner[i] !== u) {
        gradeOwner[i] = u;
        grade[i] = g;
        scratch[m++] = i;
      } else if (g > grade[i]!) grade[i] = g;
    }
    const row = scratch.subarray(0, m).sort();
    for (let j = 0; j < m; j++) {
      cols.push(row[j]!);
      vals.push(grade[row[j]!]!);
    }
    indptr[u + 1] = cols.length;
    if (m > 0) {
      if (trainEvents.indptr[u + 1]! > trainEvents.indptr[u]!) users.push(u);
      else coldUsers++;
    }
  }
  return {
    users: Int32Array.from(users),
    relevant: {
      rows: nUsers,
      cols: nItems,
      indptr,
      indices: Int32Array.from(cols),
      values: Float32Array.from(vals),
    },
    firstTestTime,
    coldUsers,
  };
}

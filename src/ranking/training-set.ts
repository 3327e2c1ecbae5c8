/**
 * One label view's training set (steps 1-4 of training, no leakage of the labels into the features):
 * 1. the internal split of the given events per user (../data/splits.ts): `next`: each user's earliest
 *    `featureRatio` of events are the feature period and the rest the labels, features as of his first
 *    label event; `missing`: a random `featureRatio` of his items are the feature side and the rest the
 *    labels, features as of the end from the feature side only;
 * 2. the candidate sources fitted on the feature side, each user's candidates from it (seen items excluded);
 * 3. label 1 when the user interacted positively with the item in the label part, else 0 (users: a seeded
 *    sample of trainingUserCount, more on a large catalogue, and then, with a net, of the users it does
 *    not hold out, so that the trees it judges are the trees served); a user's group is his candidates plus `extraNegatives` random items from outside them (labelled like the others), kept
 *    when it holds both labels;
 * 4. features as of his time (../features: only events strictly before it, so no label event is seen).
 * With the catalogue model (of the first view), a second set: per user his candidates, every label item
 * outside them and `catalogueNegatives` random others; the candidates' rows copied from the view's group.
 */
import { columnCounts } from '../core/csr.js';
import { Rng, sampleSorted } from '../core/random.js';
import { sortedHas } from '../core/search.js';
import { buildInteractions, interactionWeights } from '../data/interactions.js';
import { userServingTimes } from '../data/serving-time.js';
import { buildTestSet, type Split, splitLog, subsetLog, type TestSet } from '../data/splits.js';
import { type CandidateRows, type FeatureBuilder, type FeatureSpec, featureSpec } from '../features/build.js';
import { FeatureState } from '../features/state.js';
import type { FitData, UserProfile } from '../recommenders/recommender.js';
import type { Csr } from '../types.js';
import { firstSourceZ, firstSourceZOf, sourceMaxOf } from './candidate-stats.js';
import type { CandidateGenerator, CandidateSet } from './candidates.js';
import type { LabelView, RankedParams } from './params.js';
import { candidateGenerator, eventFreeModels, featureBuilder, fitSources, rowsOutside } from './sources.js';

/** A training set: row-major features, labels, the first source's z-scores, per-user groups. */
export interface TrainingRows {
  label: LabelView;
  /**
   * Per group (one user): his index, its rows [start, start + n), the first `candidates` of them his
   * stage-1 candidates (what serving ranks), the others drawn from outside them.
   */
  userRows: { u: number; start: number; n: number; candidates: number }[];
  values: Float64Array;
  labels: Float32Array;
  zFirst: Float64Array;
  rows: number;
  /** Label items of the users (view: all of them; catalogue model: those in the kept groups). */
  positives: number;
  /** Label items stage 1 put among the candidates. */
  found: number;
}

/**
 * One held-out user of the safety net (./safety-net.ts) in one label view: his stage-1 candidates as
 * served (no extra negatives), their feature rows as of his own serving time, each source's scores, and
 * which of them are label items; `relevant` counts all his label items he has not seen (those outside the
 * candidates too), as an outside scorer counts them.
 */
export interface NetGroup {
  u: number;
  n: number;
  /** The candidates' item indices (serving breaks equal scores by them). */
  items: Int32Array;
  values: Float64Array;
  zFirst: Float64Array;
  /** The candidates' source scores, row-major (n x sources), as serving reads them. */
  scores: Float32Array;
  labels: Uint8Array;
  relevant: number;
}

/** Seconds spent so far, by step (training adds to them view by view). */
export interface TrainingSeconds {
  sources: number;
  features: number;
  gbdt: number;
  refit: number;
}

/**
 * Steps 1-4 for one label view: its training set and, with `catalogue`, the catalogue model's; the feature
 * spec (`givenSpec`, or made from this view's state and sources). `rng` draws the extra negatives.
 */
export async function buildTrainingSet(
  label: LabelView,
  data: FitData,
  params: RankedParams,
  options: {
    rng: Rng;
    catalogue: boolean;
    givenSpec: FeatureSpec | undefined;
    seconds: TrainingSeconds;
    log?: (line: string) => void;
    /** Study only (`reco study leakage`): features over ALL the given events, label events included. */
    leakFeatures?: boolean;
    /**
     * The safety net's held-out users (1 per user index): each also gives a NetGroup (the caller leaves
     * their training rows out of the trees the net judges).
     */
    netUsers?: Uint8Array;
  },
): Promise<{
  rows: TrainingRows;
  catalogue?: TrainingRows;
  spec: FeatureSpec;
  net: NetGroup[];
  /** The rows hold none of the net's held-out users (there were enough others). */
  netFree: boolean;
}> {
  const { log } = data;
  const { rng, seconds } = options;
  const nItems = data.interactions.cols;
  const weights = interactionWeights();
  const next = label === 'next';
  const split = splitLog(
    log,
    next
      ? { kind: 'temporal', ratio: params.featureRatio }
      : { kind: 'random', ratio: params.featureRatio, seed: params.seed },
  );
  const labels = buildTestSet(split, weights);
  const featX = buildInteractions(split.train, weights);
  const cutoff = new Float64Array(log.userIds.length).fill(Number.POSITIVE_INFINITY);
  for (let e = 0; e < split.test.length; e++) {
    const u = split.test.user[e]!;
    if (split.test.timestamp[e]! < cutoff[u]!) cutoff[u] = split.test.timestamp[e]!;
  }

  // stage 1: one fit on the feature side, or with the net's held-out users (crossFit) one per fold, each on
  // every event but its own users' label events (a user's rows come from his fold's)
  // next: the state of every event, read as of each user's cutoff; missing: the state of the fit's events
  // only, as of their end (the user's label events never in it)
  // (the study-only leak: the state of every event, read as of the end, so labels shape the features)
  const leak = options.leakFeatures === true;
  const held = options.netUsers;
  // (the missing view only: its labels are anywhere in time, and a store serving a user holds every other
  // user's events; the next view's labels are each user's latest events, and the other users' latest
  // ones are not yet in a store when he is served: plays, temporal protocol, 0.1609 -> 0.1506 with them)
  const folds = held && params.crossFit && !next ? held : undefined;
  const every = next || leak ? FeatureState.fromLog(log, data.items, { weights }) : undefined;
  const stages: Stage1[] = [];
  for (const fold of folds ? [0, 1] : [undefined]) {
    const hidden = fold === undefined ? undefined : { users: folds!, fold };
    const spec = options.givenSpec ?? stages[0]?.spec;
    stages.push(await stage1(data, split, featX, hidden, params, spec, every, seconds));
  }
  const spec = stages[0]!.spec;
  const stageOf = (u: number): Stage1 => stages[folds ? folds[u]! : 0]!;
  const tf = performance.now();
  const own = userServingTimes(split.train);
  const times = rowTimes(next || leak ? 'end' : params.missingTime, own);
  const out = emptyTrainingRows(label);
  const rel = labels.relevant;
  const isPos = new Uint8Array(nItems);
  const catalogue = options.catalogue ? emptyTrainingRows(label) : undefined;
  const catalogueRng = new Rng(params.seed, next ? 2 : 3);
  let catalogueItems = 0;
  for (const c of columnCounts(featX)) if (c > 0) catalogueItems++;
  const want = trainingUserCount(labels.users.length, catalogueItems, params);
  // a sample larger than minUsers (a large catalogue) is drawn from outside the net when those users
  // suffice: the trees the net judges are then the trees served, fitted once, which pays for the larger
  // sample (sim-50k: 4,000 of 19,000). Otherwise the judged trees leave the held-out users' rows out and the
  // served trees are fitted again on every user's (drawing 1,000 from outside the net on plays, temporal
  // protocol, served 0.1528 against 0.1617)
  const others = held && want > params.minUsers ? labels.users.filter((u) => held[u] !== 1) : undefined;
  const netFree = others !== undefined && others.length >= want;
  for (const u of sampledUsers(netFree ? others : labels.users, want, params.seed)) {
    const a = rel.indptr[u]!;
    const b = rel.indptr[u + 1]!;
    const profile = profileOf(featX, u);
    const { gen, builder, end } = stageOf(u);
    const cands = gen.generate(profile);
    const nc = cands.items.length;
    for (let j = a; j < b; j++) isPos[rel.indices[j]!] = 1;
    let pos = 0;
    for (let r = 0; r < nc; r++) pos += isPos[cands.items[r]!]!;
    out.positives += b - a;
    out.found += pos;
    const extra = negativeRows(cands, profile, nItems, rng, params.extraNegatives);
    const n = nc + extra.items.length;
    for (let r = 0; r < extra.items.length; r++) pos += isPos[extra.items[r]!]!;
    const at = times[0]!(u, next && !leak ? cutoff[u]! : end);
    const viewRow = pos > 0 && pos < n ? appendGroup(out, builder, u, at, cands, extra, isPos) : -1;
    // the missing view's second group, at the end (missingTime 'both': the trees see both gaps)
    const also = times.length > 1 ? times[1]!(u, end) : at;
    if (viewRow >= 0 && also !== at) appendGroup(out, builder, u, also, cands, extra, isPos);
    if (catalogue) {
      // the catalogue model's group: the candidates, every label item outside them, and random others
      const rows = negativeRows(
        cands,
        profile,
        nItems,
        catalogueRng,
        params.catalogueNegatives,
        rel.indices.subarray(a, b),
      );
      const m = rows.items.length;
      let tp = 0;
      for (let r = 0; r < m; r++) tp += isPos[rows.items[r]!]!;
      for (let r = 0; r < nc; r++) tp += isPos[cands.items[r]!]!;
      if (tp > 0 && tp < m + nc) {
        // the candidates' rows are the view group's when it has them (same user, time and candidates)
        const copy = viewRow >= 0 ? { from: out, row: viewRow } : undefined;
        appendGroup(catalogue, builder, u, at, cands, rows, isPos, copy);
        catalogue.positives += tp;
      }
    }
    for (let j = a; j < b; j++) isPos[rel.indices[j]!] = 0;
  }
  seconds.features += (performance.now() - tf) / 1000;
  // the safety net's held-out users, each as served (with crossFit, by sources that never saw their labels
  // but saw every other user's events)
  const net = held ? netGroups(labels, featX, held, own, folds ? stages[1]! : stages[0]!, nItems) : [];
  options.log?.(
    `${label} view: ${out.userRows.length} users, ${out.rows.toLocaleString('en-US')} rows x ${spec.columns.length} features, stage-1 recall ${(out.found / Math.max(1, out.positives)).toFixed(3)}${held ? `; ${net.length} held-out users for the safety net` : ''}`,
  );
  return { rows: out, ...(catalogue ? { catalogue } : {}), spec, net, netFree };
}

/**
 * The held-out users' groups (NetGroup): each one's stage-1 candidates from `gen`, rows from `builder` as
 * of his own serving time `own[u]`, labelled by his unseen label items.
 */
function netGroups(
  labels: TestSet,
  featX: Csr,
  held: Uint8Array,
  own: Float64Array,
  { gen, builder }: Stage1,
  nItems: number,
): NetGroup[] {
  const rel = labels.relevant;
  const isPos = new Uint8Array(nItems);
  const net: NetGroup[] = [];
  for (const u of labels.users) {
    if (held[u] !== 1 || Number.isNaN(own[u]!)) continue;
    const profile = profileOf(featX, u);
    const a = rel.indptr[u]!;
    const b = rel.indptr[u + 1]!;
    let relevant = 0;
    for (let j = a; j < b; j++) {
      const i = rel.indices[j]!;
      if (!sortedHas(profile.items, i)) {
        isPos[i] = 1;
        relevant++;
      }
    }
    if (relevant > 0) net.push(netGroup(builder, gen.generate(profile), u, own[u]!, isPos, relevant));
    for (let j = a; j < b; j++) isPos[rel.indices[j]!] = 0;
  }
  return net;
}

/** Stage 1 of one fit: the candidate generator, the feature builder over its state, the state's end. */
interface Stage1 {
  gen: CandidateGenerator;
  builder: FeatureBuilder;
  spec: FeatureSpec;
  end: number;
}

/**
 * Stage 1 fitted on the feature side (`fold` undefined), or on every given event but the label events of
 * the users whose `fold.users` mark is `fold.fold`; the feature state of the same events (or `every`, the
 * state of every event: next, and the study's leak); the spec given or made from this state and the sources.
 */
async function stage1(
  data: FitData,
  split: Split,
  featX: Csr,
  fold: { users: Uint8Array; fold: number } | undefined,
  params: RankedParams,
  givenSpec: FeatureSpec | undefined,
  every: FeatureState | undefined,
  seconds: TrainingSeconds,
): Promise<Stage1> {
  const weights = interactionWeights();
  const { log, items } = data;
  let seen = split.train;
  let x = featX;
  if (fold) {
    const hidden = new Uint8Array(log.length);
    for (let e = 0; e < log.length; e++)
      if (split.isTest[e] === 1 && (fold.users[log.user[e]!] === 1 ? 1 : 0) === fold.fold) hidden[e] = 1;
    seen = subsetLog(log, hidden, 0);
    x = buildInteractions(seen, weights);
  }
  const ts = performance.now();
  const models = await fitSources(
    { interactions: x, log: seen, items, fitted: eventFreeModels(data.fitted) },
    params,
  );
  const gen = candidateGenerator(models, params, data.interactions.cols);
  seconds.sources += (performance.now() - ts) / 1000;
  const state = every ?? FeatureState.fromLog(seen, items, { weights });
  const spec = givenSpec ?? featureSpec(state, gen.names, params.exclude);
  return { gen, builder: featureBuilder(state, spec, models), spec, end: state.lastTime + 1 };
}

/** User u's feature-side profile. */
function profileOf(x: Csr, u: number): UserProfile {
  return {
    user: u,
    items: x.indices.subarray(x.indptr[u]!, x.indptr[u + 1]!),
    weights: x.values.subarray(x.indptr[u]!, x.indptr[u + 1]!),
  };
}

/** A held-out user's group for the safety net: his candidates' rows as of t, copied out of the generator. */
function netGroup(
  builder: FeatureBuilder,
  cands: CandidateSet,
  u: number,
  t: number,
  isPos: Uint8Array,
  relevant: number,
): NetGroup {
  const n = cands.items.length;
  const values = new Float64Array(n * builder.width);
  builder.build(u, t, cands, values, 0);
  return {
    u,
    n,
    values,
    zFirst: firstSourceZ(cands),
    scores: Float32Array.from(cands.scores),
    items: cands.items.slice(),
    labels: Uint8Array.from(cands.items, (i) => isPos[i]!),
    relevant,
  };
}

/** A group's time from the user and his view time: as it is ('end'), or his own serving time ('user'). */
type RowTime = (u: number, at: number) => number;

/** The times of each user's groups under `rule` (missingTime), his serving times `own`. */
function rowTimes(rule: RankedParams['missingTime'], own: Float64Array): RowTime[] {
  const asIs: RowTime = (_u, at) => at;
  const user: RowTime = (u, at) => (Number.isNaN(own[u]!) ? at : own[u]!);
  return rule === 'end' ? [asIs] : rule === 'user' ? [user] : [user, asIs];
}

/**
 * How many of `users` (those with label events) give a view's training rows: one for every `itemsPerUser`
 * items with events (`catalogueItems`), at least `minUsers`, at most `maxUsers` and all of them. Trees
 * learning from a thousand users of a 50k-item catalogue see positives on little of it (1,000 users, 2,200
 * positives found in their candidates: ranked 0.1498 NDCG@10 against EASE's 0.1607, random 75/25 split;
 * about 2,000 users 0.1555; 4,000 users 0.1592), while sim-10k (6,700 items with events) gained nothing
 * from 1,400 users instead of 1,000 and took 1.3x longer to train.
 */
export function trainingUserCount(
  users: number,
  catalogueItems: number,
  params: Pick<RankedParams, 'minUsers' | 'maxUsers' | 'itemsPerUser'>,
): number {
  const wanted = params.itemsPerUser > 0 ? Math.ceil(catalogueItems / params.itemsPerUser) : 0;
  return Math.min(users, params.maxUsers, Math.max(params.minUsers, wanted));
}

/**
 * The users of a view's training set: all of them up to `max`, else a seeded random sample of `max` (in
 * ascending order, as the whole list is), so that the rows, the features' and the trees' cost stay bounded.
 */
export function sampledUsers(users: Int32Array, max: number, seed: number): Int32Array {
  return sampleSorted(users, max, seed, 4);
}

/**
 * `count` random items outside the candidates and the profile (after `positives` outside them, all of
 * them), as rows with the sources' scores.
 */
function negativeRows(
  cands: CandidateSet,
  profile: UserProfile,
  nItems: number,
  rng: Rng,
  count: number,
  positives?: Int32Array,
): CandidateRows {
  const want = Math.min(count, nItems - cands.items.length - profile.items.length);
  const taken = new Set<number>(cands.items);
  for (const i of profile.items) taken.add(i);
  const items: number[] = [];
  if (positives)
    for (const i of positives)
      if (!taken.has(i)) {
        taken.add(i);
        items.push(i);
      }
  const start = items.length;
  for (let tries = 0; items.length - start < want && tries < want * 20; tries++) {
    const i = rng.int(nItems);
    if (taken.has(i)) continue;
    taken.add(i);
    items.push(i);
  }
  return rowsOutside(cands, items);
}

/** A training set, empty, with room to grow. */
function emptyTrainingRows(label: LabelView): TrainingRows {
  return {
    label,
    userRows: [],
    values: new Float64Array(1 << 16),
    labels: new Float32Array(1 << 12),
    zFirst: new Float64Array(1 << 12),
    rows: 0,
    positives: 0,
    found: 0,
  };
}

/**
 * Appends user u's group to `dst`: his candidates' rows (built as of t, or copied from rows `copy.row ..`
 * of another group of the same user, time and candidates), then the `extra` items' rows (per-user
 * statistics from the candidates), labelled by isPos, with the first source's per-user z-scores. Returns
 * the group's first row.
 */
function appendGroup(
  dst: TrainingRows,
  builder: FeatureBuilder,
  u: number,
  t: number,
  cands: CandidateSet,
  extra: CandidateRows,
  isPos: Uint8Array,
  copy?: { from: TrainingRows; row: number },
): number {
  const W = builder.width;
  const nc = cands.items.length;
  const m = extra.items.length;
  reserveRows(dst, dst.rows + nc + m, W);
  const row0 = dst.rows;
  if (copy) {
    dst.values.set(copy.from.values.subarray(copy.row * W, (copy.row + nc) * W), row0 * W);
    dst.zFirst.set(copy.from.zFirst.subarray(copy.row, copy.row + nc), row0);
  } else {
    builder.build(u, t, cands, dst.values, row0 * W);
    dst.zFirst.set(firstSourceZ(cands), row0);
  }
  for (let r = 0; r < nc; r++) dst.labels[row0 + r] = isPos[cands.items[r]!]!;
  if (m > 0) {
    builder.build(u, t, extra, dst.values, (row0 + nc) * W, sourceMaxOf(cands));
    for (let r = 0; r < m; r++) dst.labels[row0 + nc + r] = isPos[extra.items[r]!]!;
    dst.zFirst.set(firstSourceZOf(extra, cands, cands.sources.length), row0 + nc);
  }
  dst.userRows.push({ u, start: row0, n: nc + m, candidates: nc });
  dst.rows += nc + m;
  return row0;
}

/** Grows a training set's buffers (doubling) to hold `rows` rows of `width` features. */
function reserveRows(d: TrainingRows, rows: number, width: number): void {
  if (rows * width > d.values.length)
    d.values = copied(d.values, new Float64Array(doubled(d.values.length, rows * width)));
  if (rows > d.labels.length) {
    const n = doubled(d.labels.length, rows);
    d.labels = copied(d.labels, new Float32Array(n));
    d.zFirst = copied(d.zFirst, new Float64Array(n));
  }
}

/** `n` doubled until it holds `want`. */
function doubled(n: number, want: number): number {
  while (want > n) n *= 2;
  return n;
}

/** `to` (longer) with `from` copied to its start. */
function copied<T extends Float32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

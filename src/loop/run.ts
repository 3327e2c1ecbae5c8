/**
 * The closed loop: the world's people (./people.ts) play against a recommender (./client.ts) over
 * simulated days. Each day's sessions come in time order; a session asks for a slate, the person looks at
 * it (position bias, fatigue, the world's true probabilities), his takes go back as events carrying the
 * slate's request id, and he asks again or leaves by the patience rule. Per variant it measures what
 * ./metrics.ts describes.
 *
 * Variants: either the loop's own arms (`arms`: each person is assigned by GrowthBook's v2 hash of the
 * loop's salt and his id, and asks for his arm's strategy; `random` and `oracle` are served by the loop
 * itself, `interleave:A,B` merges the two strategies' lists by team draft, ../experiments/interleave.ts),
 * or, without arms, whatever the
 * server serves (an experiment's variant, read from the answer).
 *
 * Simulated time: the loop starts at the midnight after the last stored event; events carry simulated
 * timestamps. The server's clock is its data's clock (the ranked model computes features as of the latest
 * event it holds), so it follows the loop. Sessions run one after another in time order, which keeps the
 * loop deterministic for a seed when the server is (at the cost of concurrency).
 */
import { interleavedPair } from '../experiments/definition.js';
import { hash } from '../experiments/hash.js';
import { commonPrefix, type InterleavingMethod, interleave, sharedRanks } from '../experiments/interleave.js';
import { DAY } from '../simulation/params.js';
import { itemId, userId } from '../simulation/simulate.js';
import type { World } from '../simulation/world.js';
import type { EventLog } from '../types.js';
import type { LoopClient, LoopEvent } from './client.js';
import {
  type VariantMetrics as Metrics,
  normalise,
  report,
  VariantMetrics,
  type VariantReport,
} from './metrics.js';
import type { PeopleParams } from './params.js';
import { People } from './people.js';
import { expectedTakes, oracleSlate, randomSlate, slateRng, takeProbabilities } from './reference.js';

/** A variant the loop assigns itself: a server strategy, `random`, `oracle` or `interleave:A,B`. */
export interface Arm {
  name: string;
  strategy: string;
  weight?: number;
}

export interface LoopOptions {
  world: World;
  /** The store's events before the loop: what each person already has, and where time starts. */
  history: EventLog;
  users: number;
  days: number;
  k: number;
  seed: number;
  people: PeopleParams;
  /** The loop's own split; absent: the server's (its experiment). */
  arms?: Arm[];
  /** How the loop's own `interleave:A,B` arms merge the two lists (default `team-draft`, as the server). */
  interleaving?: InterleavingMethod;
  /** With the server's split: only answers of this experiment count by variant (others: "none"). */
  experiment?: string;
  client?: LoopClient;
  /** Event type of a take (default click). */
  eventType?: string;
  /**
   * Measure each slate against the oracle (true CTR, regret; default true). Off, slates cost only the
   * people's responses (fast statistics: A/A runs).
   */
  measure?: boolean;
  /**
   * Days before the experiment (loop's own split only, default 0): every person is served the control's
   * strategy (arms[0], the production system the experiment starts on) and his takes and slates go to
   * `pre`, the covariate of CUPED (./stats.ts). `days` experiment days follow.
   */
  preDays?: number;
  /**
   * Called at the end of each simulated day of the experiment (0-based) with the variants so far; the next
   * day waits for it (a study retrains the server's models here).
   */
  onDay?: (day: number, metrics: ReadonlyMap<string, Metrics>, pre?: Metrics) => void | Promise<void>;
  /**
   * Called after every slate of the experiment (not the pre-period) with what was shown and taken: the
   * bench's interleaving credit rules are applied to these after the run.
   */
  onSlate?: (slate: SlateRecord) => void;
}

/** One slate the loop served in the experiment, as `onSlate` sees it. */
export interface SlateRecord {
  /** Person (loop index), the experiment's day (0-based), and the variant's name. */
  person: number;
  day: number;
  variant: string;
  /** Ranks taken (0-based). */
  taken: number[];
  /** Interleaved slates: the team that placed each rank (0 = A, 1 = B), and the two lists' common prefix. */
  teams?: number[];
  commonPrefix?: number;
  /** Interleaved slates: the ranks (0-based) whose item is in both rankers' lists. */
  shared?: number[];
}

export interface LoopResult {
  start: number;
  end: number;
  sessions: number;
  slates: number;
  takes: number;
  variants: VariantReport[];
  metrics: Map<string, VariantMetrics>;
  /** The days before the experiment (`preDays`): every person's takes and slates under the control. */
  pre?: VariantMetrics;
  /** When the experiment started (after the pre-period). */
  experimentStart: number;
}

/** GrowthBook's v2 hash of `salt + id`, in [0, 1) (four decimals). */
export function bucketOf(salt: string, id: string): number {
  return hash(salt, id, 2)!;
}

/** The arm of user `id` under equal (or given) weights. */
export function assignArm(arms: readonly Arm[], salt: string, id: string): number {
  const total = arms.reduce((s, a) => s + (a.weight ?? 1), 0);
  const n = bucketOf(salt, id) * total;
  let acc = 0;
  for (let j = 0; j < arms.length; j++) {
    acc += arms[j]!.weight ?? 1;
    if (n < acc) return j;
  }
  return arms.length - 1;
}

/** The loop's start: the midnight (UTC) after the last event of `log`. */
export function loopStart(log: EventLog): number {
  let last = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < log.length; j++) if (log.timestamp[j]! > last) last = log.timestamp[j]!;
  return Number.isFinite(last) ? (Math.floor(last / DAY) + 1) * DAY : 0;
}

/** What each world user already has in `log` (every event but views), by world user index. */
export function historyOf(
  world: World,
  log: EventLog,
  itemOf = worldItemIndex(world),
): (u: number) => Int32Array {
  const userOf = new Map<string, number>();
  for (let u = 0; u < world.params.users; u++) userOf.set(userId(u), u);
  // the log's dense indices to the world's (-1: not the world's), looked up once per id, not per event
  const worldUser = Int32Array.from(log.userIds, (id) => userOf.get(id) ?? -1);
  const worldItem = Int32Array.from(log.itemIds, (id) => itemOf.get(id) ?? -1);
  const lists: number[][] = Array.from({ length: world.params.users }, () => []);
  const view = log.typeNames.indexOf('view');
  for (let j = 0; j < log.length; j++) {
    if (log.type[j] === view) continue;
    const u = worldUser[log.user[j]!]!;
    const i = worldItem[log.item[j]!]!;
    if (u >= 0 && i >= 0) lists[u]!.push(i);
  }
  return (u) => Int32Array.from(lists[u] ?? []);
}

/** Store item id -> world item index. */
export function worldItemIndex(world: World): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < world.params.items; i++) m.set(itemId(i), i);
  return m;
}

const INTERNAL = new Set(['random', 'oracle']);

/** Runs the loop once; see the module header. */
export async function runLoop(o: LoopOptions): Promise<LoopResult> {
  const { world, k } = o;
  const M = world.params.items;
  const itemOf = worldItemIndex(world);
  const people = new People(world, o.people, o.users, o.seed, historyOf(world, o.history, itemOf), k);
  const exam = people.examination();
  const salt = `reco-loop-${o.seed}-`;
  const arms = o.arms;
  const armOf = arms ? Int32Array.from(people.user, (u) => assignArm(arms, salt, userId(u))) : undefined;
  const needsClient = !arms || arms.some((a) => !INTERNAL.has(a.strategy));
  if (needsClient && !o.client) throw new Error('runLoop: a client is needed to ask a server');
  const metrics = new Map<string, VariantMetrics>();
  const variant = (name: string) => {
    let m = metrics.get(name);
    if (!m) metrics.set(name, (m = new VariantMetrics(name, o.users, M)));
    return m;
  };
  for (const a of arms ?? []) variant(a.name);
  const randomRng = slateRng(o.seed);
  const prob = new Float64Array(M);
  const eventType = o.eventType ?? 'click';
  const start = loopStart(o.history);
  const preDays = o.preDays ?? 0;
  if (preDays > 0 && !arms) throw new Error('runLoop: a pre-period needs arms (the loop split)');
  const pre = preDays > 0 ? new VariantMetrics('pre', o.users, M) : undefined;
  let sessions = 0;
  let slates = 0;
  let takes = 0;
  const toWorld = (ids: string[]) => Int32Array.from(ids, (id) => itemOf.get(id) ?? -1);

  for (let day = 0; day < preDays + o.days; day++) {
    const inPre = day < preDays;
    const today = people.sessionsOfDay(start + day * DAY);
    for (let s = 0; s < today.person.length; s++) {
      const p = today.person[s]!;
      const user = userId(people.user[p]!);
      const rng = people.rng(p);
      people.startSession();
      let patience = o.people.patience;
      let t = today.time[s]!;
      let m: VariantMetrics | undefined;
      // a session pages on: each slate shows items the session has not shown yet
      const shownInSession = new Set<number>();
      const fresh = (ids: string[]) => {
        const out: string[] = [];
        for (const id of ids) {
          const i = itemOf.get(id);
          if (out.length < k && (i === undefined || !shownInSession.has(i))) out.push(id);
        }
        return out;
      };
      for (let n = 0; n < o.people.maxSlates; n++) {
        const ask = Math.min(1000, k + shownInSession.size);
        const arm = arms?.[inPre ? 0 : armOf![p]!];
        const measure = (o.measure !== false && !inPre) || arm?.strategy === 'oracle';
        if (measure) takeProbabilities(people, p, t, prob, shownInSession);
        const top = measure ? oracleSlate(prob, k) : undefined;
        const best = top ? expectedTakes(prob, top, exam) : 0;
        let items: Int32Array;
        let request: string | undefined;
        let team: number[] | undefined;
        let prefix = 0;
        let shared: number[] | undefined;
        if (arm) {
          m = inPre ? pre! : variant(arm.name);
          const pair = interleavedPair(arm.strategy);
          // the oracle arm always measures: its slate is the one just picked
          if (arm.strategy === 'oracle') items = top!;
          else if (arm.strategy === 'random') items = randomSlate(people, p, k, randomRng, shownInSession);
          else if (pair) {
            const [la, lb] = await Promise.all([
              o.client!.recommend(user, ask, pair[0]),
              o.client!.recommend(user, ask, pair[1]),
            ]);
            const fa = fresh(la.items);
            const fb = fresh(lb.items);
            const d = interleave(fa, fb, k, `${salt}${user}-${slates}`, o.interleaving);
            prefix = commonPrefix(fa, fb, k);
            shared = sharedRanks(d.items, fa, fb);
            items = toWorld(d.items);
            team = d.teams;
          } else {
            const slate = await o.client!.recommend(user, ask, arm.strategy);
            items = toWorld(fresh(slate.items));
            request = slate.request;
          }
        } else {
          const slate = await o.client!.recommend(user, ask);
          const e = slate.experiment;
          m = variant(e && (o.experiment === undefined || e.id === o.experiment) ? e.variant : 'none');
          items = toWorld(fresh(slate.items));
          request = slate.request;
        }
        for (const i of items) if (i >= 0) shownInSession.add(i);
        const expected = measure ? expectedTakes(prob, items, exam) : 0;
        const taken = people.respond(p, items, t);
        m.slate(world, p, items, taken.length, expected, best);
        if (team)
          for (const r of taken) {
            if (team[r] === 0) m.creditA[p]! += 1;
            else if (team[r] === 1) m.creditB[p]! += 1;
          }
        if (!inPre && o.onSlate)
          o.onSlate({
            person: p,
            day: day - preDays,
            variant: m.name,
            taken,
            ...(team ? { teams: team, commonPrefix: prefix, shared: shared! } : {}),
          });
        slates++;
        takes += taken.length;
        if (taken.length > 0 && o.client) {
          const events: LoopEvent[] = taken.map((r) => ({
            user,
            item: itemId(items[r]!),
            type: eventType,
            timestamp: Math.round(t) + (r + 1) * 1000,
            ...(request !== undefined ? { request } : {}),
          }));
          await o.client.send(events);
        }
        t += o.people.slateSeconds * 1000;
        if (taken.length > 0) {
          patience = o.people.patience;
          if (rng.float() >= o.people.continueAfterTake) break;
        } else if (--patience <= 0) break;
      }
      if (m) {
        m.sessions++;
        m.userSessions[p]! += 1;
      }
      sessions++;
    }
    if (!inPre) await o.onDay?.(day - preDays, metrics, pre);
  }
  return {
    ...(pre ? { pre } : {}),
    experimentStart: start + preDays * DAY,
    start,
    end: start + (preDays + o.days) * DAY,
    sessions,
    slates,
    takes,
    variants: [...metrics.values()].map((m) => report(m, M)),
    metrics,
  };
}

/** The random and the oracle slates' CTR over the same people, arrivals and days (nothing is sent). */
export async function referenceCtrs(o: LoopOptions): Promise<{ random: number; oracle: number }> {
  // the references start at the loop's start without a pre-period (they serve no control)
  const { client: _c, onDay: _d, experiment: _e, preDays: _p, ...base } = o;
  const random = await runLoop({ ...base, arms: [{ name: 'random', strategy: 'random' }] });
  const oracle = await runLoop({ ...base, arms: [{ name: 'oracle', strategy: 'oracle' }] });
  return { random: random.variants[0]!.ctr, oracle: oracle.variants[0]!.ctr };
}

/** The loop with its references: each variant's report gets its normalised score. */
export async function closedLoop(
  o: LoopOptions,
  withReference = true,
): Promise<LoopResult & { reference?: { random: number; oracle: number } }> {
  const result = await runLoop(o);
  if (!withReference) return result;
  const reference = await referenceCtrs(o);
  normalise(result.variants, reference.random, reference.oracle);
  return { ...result, reference };
}

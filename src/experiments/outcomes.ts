/**
 * Outcomes: which events count for which exposures. An event of an exposed user counts when it carries
 * the request id of one of his exposures, or when it names an item shown to him in an exposure at most
 * `attributionHours` before it (the latest such exposure gets it); an event matched by item counts only at
 * or after his first exposure, one matched by request id whatever its timestamp (the id proves it followed
 * the answer; clients such as `reco loop` stamp events with their own, simulated, clock). Per variant, the per-user sums the statistics need (exposures, clicks, conversions,
 * events before the first exposure for CUPED), the guardrails' raw figures, and for an interleaved variant
 * the clicks credited to each ranker per user.
 */
import type { ExperimentEvent, ExperimentRecord, ExposureRecord } from '../store/experiments.js';
import type { Store } from '../store/store.js';
import { interleavedPair } from './definition.js';

export interface OutcomeOptions {
  /** Event types counted as clicks (default click). */
  clickTypes?: readonly string[];
  /** Event types counted as conversions (default purchase, like, play). */
  conversionTypes?: readonly string[];
  /** Count only exposures and events up to this time (ms; default: all). */
  until?: number;
  /** Count each user's events in the pre-exposure period (CUPED's covariate; default false). */
  pre?: boolean;
  /** Length of CUPED's pre-exposure period, in days (default 14). */
  preDays?: number;
}

export interface VariantOutcomes {
  users: number;
  exposures: number;
  clicks: number;
  conversions: number;
  /** Per user (same order in each): exposures, clicks, conversions, events in the pre-exposure period. */
  perUser: { exposures: Float64Array; clicks: Float64Array; conversions: Float64Array; pre: Float64Array };
  /** Each exposure's latency, ms. */
  latencies: Float64Array;
  /** Exposures with an empty list. */
  empty: number;
  /** Distinct items shown. */
  itemsShown: number;
  /** Per user, the clicks credited to ranker A and B (interleaved variants only). */
  credits?: [number, number][];
}

export const DEFAULT_CLICK_TYPES = ['click'];
export const DEFAULT_CONVERSION_TYPES = ['purchase', 'like', 'play'];
const DAY = 86_400_000;
/**
 * Users whose events are read ahead of the one being counted: a PostgreSQL store answers the reads
 * concurrently over its pool instead of one round trip after another (a SQLite store, one at a time).
 */
const READ_AHEAD = 8;

interface UserExposures {
  variant: number;
  list: ExposureRecord[];
}

/** Exposures grouped by user (in time order), from the store or as given. */
export function byUser(exposures: readonly ExposureRecord[]): Map<string, UserExposures> {
  const users = new Map<string, UserExposures>();
  for (const x of exposures) {
    let u = users.get(x.user);
    if (!u) users.set(x.user, (u = { variant: x.variant, list: [] }));
    u.list.push(x);
  }
  return users;
}

export async function outcomes(
  store: Store,
  e: ExperimentRecord,
  options: OutcomeOptions = {},
): Promise<VariantOutcomes[]> {
  const until = options.until ?? Number.MAX_SAFE_INTEGER;
  const clickTypes = new Set(options.clickTypes ?? DEFAULT_CLICK_TYPES);
  const conversionTypes = new Set(options.conversionTypes ?? DEFAULT_CONVERSION_TYPES);
  const window = e.attributionHours * 3_600_000;
  const preDays = options.preDays ?? 14;
  const users = byUser(await store.experiments.exposures(e.id, until));
  const k = e.variants.length;
  const interleaved = e.variants.map((v) => interleavedPair(v.strategy) !== undefined);
  const acc = e.variants.map((_, j) => ({
    exposures: [] as number[],
    clicks: [] as number[],
    conversions: [] as number[],
    pre: [] as number[],
    latencies: [] as number[],
    empty: 0,
    items: new Set<string>(),
    credits: interleaved[j] ? ([] as [number, number][]) : undefined,
  }));
  const counted = [...users].filter(([, ux]) => ux.variant >= 0 && ux.variant < k);
  // each user's events since his first exposure and his pre-exposure count, READ_AHEAD users ahead
  const read = ([user, ux]: [string, UserExposures]): Promise<[ExperimentEvent[], number]> => {
    const first = ux.list[0]!.timestamp;
    const p = Promise.all([
      store.experiments.userEvents(user, first, until),
      options.pre ? store.experiments.eventCount(user, first - preDays * DAY, first) : 0,
    ]);
    // handled here too: a read failing while an earlier user is awaited must not be an unhandled rejection
    p.catch(() => undefined);
    return p;
  };
  const reads = counted.slice(0, READ_AHEAD).map(read);
  for (let n = 0; n < counted.length; n++) {
    const ux = counted[n]![1];
    const [events, pre] = await reads[n]!;
    if (n + READ_AHEAD < counted.length) reads.push(read(counted[n + READ_AHEAD]!));
    const a = acc[ux.variant]!;
    const first = ux.list[0]!.timestamp;
    const byRequest = new Map<string, ExposureRecord>();
    // item -> the exposures (in time order) that showed it
    const shown = new Map<string, ExposureRecord[]>();
    for (const x of ux.list) {
      byRequest.set(x.request, x);
      a.latencies.push(x.latencyMs);
      if (x.items.length === 0) a.empty++;
      for (const item of x.items) {
        a.items.add(item);
        let l = shown.get(item);
        if (!l) shown.set(item, (l = []));
        l.push(x);
      }
    }
    let clicks = 0;
    let conversions = 0;
    const credit: [number, number] = [0, 0];
    for (const ev of events) {
      // an event naming one of his requests counts whatever its clock (the request id proves the order)
      let x = ev.request === null ? undefined : byRequest.get(ev.request);
      if (!x) {
        if (ev.timestamp < first || ev.timestamp > until) continue;
        const l = shown.get(ev.item);
        if (l)
          for (let j = l.length - 1; j >= 0; j--) {
            const s = l[j]!;
            if (s.timestamp <= ev.timestamp && ev.timestamp - s.timestamp <= window) {
              x = s;
              break;
            }
          }
      }
      if (!x) continue;
      if (clickTypes.has(ev.type)) {
        clicks++;
        // an item both rankers proposed (NEUTRAL) is credited to neither
        const team = x.teams ? x.teams[x.items.indexOf(ev.item)] : undefined;
        if (team === 0 || team === 1) credit[team]++;
      }
      if (conversionTypes.has(ev.type)) conversions++;
    }
    a.exposures.push(ux.list.length);
    a.clicks.push(clicks);
    a.conversions.push(conversions);
    a.pre.push(pre);
    a.credits?.push(credit);
  }
  return acc.map((a) => ({
    users: a.exposures.length,
    exposures: a.exposures.reduce((s, x) => s + x, 0),
    clicks: a.clicks.reduce((s, x) => s + x, 0),
    conversions: a.conversions.reduce((s, x) => s + x, 0),
    perUser: {
      exposures: Float64Array.from(a.exposures),
      clicks: Float64Array.from(a.clicks),
      conversions: Float64Array.from(a.conversions),
      pre: Float64Array.from(a.pre),
    },
    latencies: Float64Array.from(a.latencies),
    empty: a.empty,
    itemsShown: a.items.size,
    ...(a.credits ? { credits: a.credits } : {}),
  }));
}

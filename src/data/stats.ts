/**
 * Dataset statistics, so that a simulated world and a real data set can be compared side by side:
 * sizes, density, item-popularity Gini, quantiles of events per user and per item, the rating histogram,
 * genres per item and the event-type breakdown.
 *
 * Conventions: "events" are all events of every type (a ratings data set has only ratings); per-user and
 * per-item counts and the Gini run over every user and item in the store (zeros included); quantiles
 * interpolate linearly between order statistics (Hyndman and Fan's type 7, numpy's default); the Gini
 * coefficient is the mean absolute difference over twice the mean, computed on the sorted counts as
 * sum_i (2i - n - 1) x_(i) / (n * sum x) (Gini 1912; see e.g. Damgaard and Weiner 2000).
 */
import type { EventLog, ItemRecord } from '../types.js';
import { type EventTypeRule, type InteractionWeights, interactionWeights, ruleOf } from './interactions.js';

export const QUANTILE_LEVELS = [
  ['p10', 0.1],
  ['p25', 0.25],
  ['p50', 0.5],
  ['p75', 0.75],
  ['p90', 0.9],
  ['p99', 0.99],
  ['max', 1],
] as const;
export type QuantileName = (typeof QUANTILE_LEVELS)[number][0];
export type Quantiles = Record<QuantileName, number>;

export interface DatasetStats {
  users: number;
  items: number;
  events: number;
  /** events / (users * items) */
  density: number;
  /** Users and items with at least one event. */
  activeUsers: number;
  activeItems: number;
  itemGini: number;
  eventsPerUser: Quantiles;
  eventsPerItem: Quantiles;
  /** Per event type present: its events, the distribution of its values, its rule, and a warning when its values are heavy-tailed and weigh raw. */
  eventTypes: EventTypeStats[];
  ratings: number;
  /** Share of rating events with value 1..5 (rounded), or null without ratings. */
  ratingHistogram: number[] | null;
  meanRating: number | null;
  /** Mean number of genres per item, and the share of items with 0, 1, 2, ... genres. */
  genresPerItemMean: number;
  genresPerItemHistogram: number[];
}

export interface EventTypeStats {
  name: string;
  events: number;
  value: Quantiles & { min: number };
  rule: EventTypeRule;
  warning?: string;
}

/**
 * Heavy-tailed values used as raw weights: a 'count' rule over values whose 99th percentile is 20 times the
 * median or more, or whose largest is 100 times it (one user's thousands of plays would outweigh
 * everything else). The 'log' rule is made for such counts.
 */
function heavyTailWarning(
  name: string,
  rule: EventTypeRule,
  v: Quantiles & { min: number },
): string | undefined {
  if (rule.value !== 'count') return undefined;
  const mid = Math.max(Math.abs(v.p50), 1e-9);
  if (v.max <= 1 || (v.p99 / mid < 20 && v.max / mid < 100)) return undefined;
  return `event type '${name}': values from ${fmt(v.min)} to ${fmt(v.max)} (median ${fmt(v.p50)}) weigh raw (rule count); heavy-tailed counts weigh better by their logarithm: reco types set ${name} --value log`;
}

/** Type-7 quantile of ascending-sorted values. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export function quantiles(values: ArrayLike<number>): Quantiles {
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  const out = {} as Quantiles;
  for (const [name, q] of QUANTILE_LEVELS) out[name] = quantileSorted(sorted, q);
  return out;
}

/** Gini coefficient of non-negative values (0 = all equal, towards 1 = all in one). */
export function gini(values: ArrayLike<number>): number {
  const x = Float64Array.from(values as ArrayLike<number>).sort();
  const n = x.length;
  let sum = 0;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    sum += x[i]!;
    weighted += (2 * (i + 1) - n - 1) * x[i]!;
  }
  return n === 0 || sum === 0 ? 0 : weighted / (n * sum);
}

export function computeStats(
  log: EventLog,
  items: ItemRecord[],
  weights: InteractionWeights = interactionWeights(),
): DatasetStats {
  const U = log.userIds.length;
  const M = log.itemIds.length;
  const perUser = new Float64Array(U);
  const perItem = new Float64Array(M);
  const perType = new Float64Array(256);
  const ratingCode = log.typeNames.indexOf('rating');
  const hist = [0, 0, 0, 0, 0];
  let ratings = 0;
  let ratingSum = 0;
  for (let k = 0; k < log.length; k++) {
    perUser[log.user[k]!]!++;
    perItem[log.item[k]!]!++;
    const t = log.type[k]!;
    perType[t]!++;
    if (t === ratingCode) {
      const v = log.value[k]!;
      ratings++;
      ratingSum += v;
      const b = Math.min(5, Math.max(1, Math.round(v)));
      hist[b - 1]!++;
    }
  }
  const eventTypes: EventTypeStats[] = [];
  for (let t = 0; t < log.typeNames.length; t++) {
    if (perType[t]! === 0) continue;
    const values = new Float64Array(perType[t]!);
    let n = 0;
    for (let k = 0; k < log.length; k++) if (log.type[k] === t) values[n++] = log.value[k]!;
    values.sort();
    const value = { ...quantiles(values), min: values[0]! };
    const name = log.typeNames[t]!;
    const rule = ruleOf(weights, name);
    const warning = heavyTailWarning(name, rule, value);
    eventTypes.push({ name, events: perType[t]!, value, rule, ...(warning ? { warning } : {}) });
  }
  const genreCounts: number[] = [];
  let genreSum = 0;
  for (const it of items) {
    const g = it.genres?.length ?? 0;
    genreSum += g;
    while (genreCounts.length <= g) genreCounts.push(0);
    genreCounts[g]!++;
  }
  return {
    users: U,
    items: M,
    events: log.length,
    density: U > 0 && M > 0 ? log.length / (U * M) : 0,
    activeUsers: perUser.reduce((s, x) => s + (x > 0 ? 1 : 0), 0),
    activeItems: perItem.reduce((s, x) => s + (x > 0 ? 1 : 0), 0),
    itemGini: gini(perItem),
    eventsPerUser: quantiles(perUser),
    eventsPerItem: quantiles(perItem),
    eventTypes,
    ratings,
    ratingHistogram: ratings > 0 ? hist.map((h) => h / ratings) : null,
    meanRating: ratings > 0 ? ratingSum / ratings : null,
    genresPerItemMean: items.length > 0 ? genreSum / items.length : 0,
    genresPerItemHistogram: genreCounts.map((c) => (items.length > 0 ? c / items.length : 0)),
  };
}

/** One compared statistic. `relDiff` = (value - reference) / |reference| (0 when both are 0). */
export interface StatRow {
  name: string;
  value: number | null;
  reference: number | null;
  relDiff: number | null;
  within: boolean | null;
}

/** The statistics compared side by side, as (name, value) pairs in a fixed order. */
export function flattenStats(s: DatasetStats): [string, number | null][] {
  const rows: [string, number | null][] = [
    ['users', s.users],
    ['items', s.items],
    ['events', s.events],
    ['density', s.density],
    ['item popularity gini', s.itemGini],
  ];
  for (const [q] of QUANTILE_LEVELS) rows.push([`events/user ${q}`, s.eventsPerUser[q]]);
  for (const [q] of QUANTILE_LEVELS) rows.push([`events/item ${q}`, s.eventsPerItem[q]]);
  for (let v = 0; v < 5; v++)
    rows.push([`rating share ${v + 1}`, s.ratingHistogram ? s.ratingHistogram[v]! : null]);
  rows.push(['mean rating', s.meanRating]);
  rows.push(['genres/item mean', s.genresPerItemMean]);
  const h = s.genresPerItemHistogram;
  const share = (k: number) => h[k] ?? 0;
  rows.push(['genres/item share 1', share(1)]);
  rows.push(['genres/item share 2', share(2)]);
  rows.push(['genres/item share 3+', h.slice(3).reduce((a, b) => a + b, 0)]);
  return rows;
}

export function compareStats(value: DatasetStats, reference: DatasetStats, tolerance = 0.1): StatRow[] {
  const a = flattenStats(value);
  const b = new Map(flattenStats(reference));
  return a.map(([name, v]) => {
    const r = b.get(name) ?? null;
    if (v === null || r === null) return { name, value: v, reference: r, relDiff: null, within: null };
    const relDiff = r === 0 ? (v === 0 ? 0 : Number.POSITIVE_INFINITY) : (v - r) / Math.abs(r);
    return { name, value: v, reference: r, relDiff, within: Math.abs(relDiff) <= tolerance + 1e-12 };
  });
}

function fmt(x: number | null): string {
  if (x === null) return '-';
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  if (Math.abs(x) < 0.01) return x.toExponential(3);
  return x.toFixed(Math.abs(x) < 10 ? 4 : 1);
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    r.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function formatStats(s: DatasetStats): string {
  const rows = flattenStats(s).map(([n, v]) => [n, fmt(v)]);
  rows.push(['active users', fmt(s.activeUsers)], ['active items', fmt(s.activeItems)]);
  const gh = s.genresPerItemHistogram.map((x, k) => `${k}:${(100 * x).toFixed(1)}%`).join(' ');
  const types = table(
    ['event type', 'events', 'rule', 'min', 'p50', 'p99', 'max'],
    s.eventTypes.map((t) => [
      t.name,
      fmt(t.events),
      `${t.rule.value} x ${t.rule.weight}${t.rule.value === 'centered' ? ` (centre ${t.rule.center})` : ''}`,
      fmt(t.value.min),
      fmt(t.value.p50),
      fmt(t.value.p99),
      fmt(t.value.max),
    ]),
  );
  const warnings = s.eventTypes.flatMap((t) => (t.warning ? [`warning: ${t.warning}`] : []));
  return [`${table(['statistic', 'value'], rows)}`, `genres per item: ${gh}`, '', types, ...warnings].join(
    '\n',
  );
}

export function formatComparison(rows: StatRow[], names: [string, string], tolerance = 0.1): string {
  const body = rows.map((r) => [
    r.name,
    fmt(r.value),
    fmt(r.reference),
    r.relDiff === null ? '-' : `${(100 * r.relDiff).toFixed(1)}%`,
    r.within === null ? '-' : r.within ? 'yes' : 'NO',
  ]);
  const compared = rows.filter((r) => r.within !== null);
  const ok = compared.filter((r) => r.within).length;
  return `${table(['statistic', names[0], names[1], 'rel.diff', `within ${Math.round(tolerance * 100)}%`], body)}\n${ok}/${compared.length} statistics within ${Math.round(tolerance * 100)}%`;
}

/**
 * The serving page's time series, sampled from the server's own Prometheus registry (../../serving/
 * plugins/metrics.ts) every `intervalMs`: request latency p50/p95/p99 of the API's routes (quantiles of the
 * histogram's increase over the interval, interpolated within buckets as Prometheus' histogram_quantile
 * does), requests per second, the answer cache's hit rate and rate-limit refusals (429s) per interval.
 * The web app's own pages and assets are left out of the API's figures. Keeps the last `keep` samples.
 */
import type { Registry } from 'prom-client';

interface Bucketed {
  /** Upper bounds, ascending, +Inf last. */
  le: number[];
  cumulative: number[];
  count: number;
}

export interface ServingSample {
  /** Seconds since the epoch. */
  t: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  rps: number;
  hitRate: number | null;
  refusals: number;
}

interface Totals {
  at: number;
  hist: Bucketed;
  refusals: number;
  hits: number;
  misses: number;
}

/** A quantile of bucketed counts (ms), linear within the bucket; null without observations. */
export function histogramQuantile(q: number, h: Bucketed): number | null {
  if (h.count <= 0) return null;
  const rank = q * h.count;
  for (let b = 0; b < h.le.length; b++) {
    if (h.cumulative[b]! >= rank) {
      const upper = h.le[b]!;
      const lower = b === 0 ? 0 : h.le[b - 1]!;
      if (!Number.isFinite(upper)) return lower * 1000;
      const below = b === 0 ? 0 : h.cumulative[b - 1]!;
      const inBucket = h.cumulative[b]! - below;
      const frac = inBucket > 0 ? (rank - below) / inBucket : 1;
      return (lower + (upper - lower) * frac) * 1000;
    }
  }
  return null;
}

/** API routes: what the serving figures are about (the web app's pages are not the API). */
function isApiRoute(route: string): boolean {
  return route.startsWith('/v1/') || route === '/health' || route === '/metrics';
}

/** The metrics the sampler reads. */
const SAMPLED = ['reco_http_request_duration_seconds', 'reco_cache_hits_total', 'reco_cache_misses_total'];

export class ServingSampler {
  private last?: Totals;
  readonly samples: ServingSample[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly registry: Registry,
    private readonly intervalMs = 10_000,
    private readonly keep = 360,
  ) {}

  start(): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async totals(): Promise<Totals> {
    // only the metrics read here: collecting the default ones would reset the event-loop delay histogram
    // that /metrics reports (prom-client resets it at each collection)
    const metrics = [];
    for (const name of SAMPLED) {
      const metric = this.registry.getSingleMetric(name);
      if (metric) metrics.push(await metric.get());
    }
    const byLe = new Map<number, number>();
    let count = 0;
    let refusals = 0;
    let hits = 0;
    let misses = 0;
    for (const m of metrics) {
      if (m.name === 'reco_http_request_duration_seconds')
        for (const v of m.values as {
          value: number;
          labels: Record<string, unknown>;
          metricName?: string;
        }[]) {
          const route = String(v.labels['route'] ?? '');
          if (v.metricName?.endsWith('_bucket') && isApiRoute(route)) {
            const le = v.labels['le'] === '+Inf' ? Number.POSITIVE_INFINITY : Number(v.labels['le']);
            byLe.set(le, (byLe.get(le) ?? 0) + v.value);
          } else if (v.metricName?.endsWith('_count')) {
            if (isApiRoute(route)) count += v.value;
            if (String(v.labels['status_code']) === '429') refusals += v.value;
          }
        }
      else if (m.name === 'reco_cache_hits_total') hits = m.values[0]?.value ?? 0;
      else if (m.name === 'reco_cache_misses_total') misses = m.values[0]?.value ?? 0;
    }
    const le = [...byLe.keys()].sort((a, b) => a - b);
    return {
      at: Date.now(),
      hist: { le, cumulative: le.map((x) => byLe.get(x)!), count },
      refusals,
      hits,
      misses,
    };
  }

  /** Takes one sample now (the timer's; tests call it). */
  async sample(): Promise<ServingSample | undefined> {
    const now = await this.totals();
    const prev = this.last;
    this.last = now;
    if (!prev) return undefined;
    const seconds = Math.max(1e-3, (now.at - prev.at) / 1000);
    const le = now.hist.le;
    const cumulative = le.map(
      (x, b) => now.hist.cumulative[b]! - (prev.hist.cumulative[prev.hist.le.indexOf(x)] ?? 0),
    );
    const delta: Bucketed = { le, cumulative, count: now.hist.count - prev.hist.count };
    const lookups = now.hits - prev.hits + (now.misses - prev.misses);
    const s: ServingSample = {
      t: Math.round(now.at / 1000),
      p50: histogramQuantile(0.5, delta),
      p95: histogramQuantile(0.95, delta),
      p99: histogramQuantile(0.99, delta),
      rps: delta.count / seconds,
      hitRate: lookups > 0 ? (now.hits - prev.hits) / lookups : null,
      refusals: now.refusals - prev.refusals,
    };
    this.samples.push(s);
    if (this.samples.length > this.keep) this.samples.shift();
    return s;
  }
}

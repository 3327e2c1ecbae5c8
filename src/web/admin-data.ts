/**
 * What the operators' pages show, gathered from the services and the store: the serving model and its
 * age, every bundle's offline evaluation (with the NDCG@k curve when the training recorded it) and fit
 * times, the retraining's progress (the models the running training has fitted so far, from its tracked
 * run), and the user inspector (a user's history and every strategy's top 10 with explanations).
 */

import type { RecommendationAnswer } from '../serving/answers.js';
import type { Services } from '../serving/compose.js';
import type { Retrainer } from '../serving/retrain.js';
import type { BundleSummary } from '../serving/services/model-holder.js';
import type { StoredEvent } from '../store/store.js';
import { reasons } from './explain-words.js';

/** The largest k of the NDCG@k curve a training records (ndcg@1 .. ndcg@20). */
export const CURVE_K = 20;

export interface ServingModel {
  version: string;
  loadedAt: string;
  createdAt: string;
  models: string[];
  ranked: boolean;
  /** Seconds since the bundle was trained. */
  ageSeconds: number;
}

export interface StrategyList {
  strategy: string;
  model: string;
  note?: string | undefined;
  items: { id: string; title: string; reasons: string[] }[];
  error?: string;
}

export class AdminData {
  constructor(
    private readonly services: Services,
    private readonly retrainer: Retrainer,
  ) {}

  serving(): ServingModel | undefined {
    const slot = this.services.models.slot;
    if (!slot) return undefined;
    const createdAt = slot.bundle.manifest.createdAt;
    return {
      version: slot.version,
      loadedAt: slot.loadedAt.toISOString(),
      createdAt,
      models: [...slot.models.keys()],
      ranked: slot.hasRanked,
      ageSeconds: Math.max(0, Math.round((Date.now() - Date.parse(createdAt)) / 1000)),
    };
  }

  bundles(): BundleSummary[] {
    return this.services.models.bundles().reverse();
  }

  /** NDCG@k for k = 1..20 per model of a bundle, as uPlot data (null when the bundle has no curve). */
  ndcgCurve(version: string): NdcgCurve | null {
    const b = this.bundles().find((x) => x.version === version);
    return b ? bundleCurve(b) : null;
  }

  /**
   * What the models page shows, from one listing of the bundles: them, the serving model, the retraining,
   * and the newest bundle with an NDCG curve.
   */
  async modelsView(): Promise<{
    bundles: BundleSummary[];
    serving: ServingModel | undefined;
    retrain: RetrainView;
    curveOf: string | undefined;
  }> {
    const bundles = this.bundles();
    const curveOf = bundles.find((b) => bundleCurve(b) !== null)?.version;
    return { bundles, serving: this.serving(), retrain: await this.retrain(), curveOf };
  }

  /** The retraining's state, and the models its run has fitted so far while it runs. */
  async retrain(): Promise<RetrainView> {
    const status = this.retrainer.status;
    const fitted: string[] = [];
    // the models the retrainer trains: the serving bundle's, ranked included when it has one
    const slot = this.services.models.slot;
    const total = slot ? slot.models.size + (slot.bundle.has('ranked') ? 1 : 0) : 0;
    if (status.state === 'running' && status.startedAt) {
      const run = (await this.services.store.listRuns({ kind: 'retrain', limit: 1 }))[0];
      if (run && run.status === 'RUNNING' && run.startTime >= Date.parse(status.startedAt) - 5000)
        for (const m of (await this.services.store.getRun(run.id))?.metrics ?? [])
          if (m.key.endsWith('.fit_seconds')) fitted.push(m.key.slice(0, -'.fit_seconds'.length));
    }
    const since = status.startedAt
      ? Date.parse(status.finishedAt ?? new Date().toISOString()) - Date.parse(status.startedAt)
      : undefined;
    return {
      ...status,
      fitted,
      total,
      ...(since !== undefined ? { seconds: Math.round(since / 1000) } : {}),
    };
  }

  /** Every strategy's top 10 for `userId`, side by side, with reasons. */
  async inspect(userId: string): Promise<{
    history: StoredEvent[];
    lists: StrategyList[];
    known: boolean;
  }> {
    const { store, recommend, models } = this.services;
    const known = store.userIndex(userId) !== undefined;
    const history = known ? await store.userEvents(userId, 50) : [];
    const slot = models.require();
    const strategies = ['ranked', ...slot.models.keys()];
    const lists = strategies.map((strategy): StrategyList => {
      let answer: RecommendationAnswer;
      try {
        answer = recommend.recommend({ userId, k: 10, strategy: strategy as never, explain: true });
      } catch (err) {
        return { strategy, model: strategy, items: [], error: (err as Error).message };
      }
      return {
        strategy,
        model: answer.model ?? strategy,
        note: answer.note,
        items: (answer.items ?? []).map((it) => ({
          id: it.id!,
          title: it.title ?? it.id!,
          reasons: reasons(it, undefined),
        })),
      };
    });
    return { history, lists, known };
  }
}

/** NDCG@k per model of a bundle, as uPlot data. */
export interface NdcgCurve {
  x: number[];
  series: { label: string; values: (number | null)[] }[];
}

/** A bundle's NDCG@1..20 curve per model, from its stored evaluation (null without one). */
function bundleCurve(b: BundleSummary): NdcgCurve | null {
  if ('error' in b || !b.metrics) return null;
  const x = Array.from({ length: CURVE_K }, (_, k) => k + 1);
  const series = Object.entries(b.metrics.models)
    .map(([label, m]) => ({ label, values: x.map((k) => m[`ndcg@${k}`] ?? null) }))
    .filter((s) => s.values.some((v) => v !== null));
  return series.length > 0 ? { x, series } : null;
}

/** The retraining's state as the models page shows it. */
export interface RetrainView {
  total: number;
  state: string;
  startedAt?: string;
  finishedAt?: string;
  version?: string;
  error?: string;
  fitted: string[];
  seconds?: number;
}

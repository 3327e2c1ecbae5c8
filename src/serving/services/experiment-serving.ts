/**
 * Recommendations in running experiments: a request that names no strategy is served by its user's
 * variant (./../../experiments/service.ts assigns it): the variant's strategy, its bundle version (loaded
 * from the models folder once and kept beside the bundle in use), or a team-draft interleaving of two
 * strategies. Such an answer carries a request id and the experiment and variant, and its exposure is
 * queued for the exposure log (./exposure-log.ts). Without a running experiment requests go straight to
 * the recommend service.
 */

import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { UnavailableError } from '../../errors.js';
import { interleavedPair } from '../../experiments/definition.js';
import { interleave } from '../../experiments/interleave.js';
import type { Assignment, ExperimentService } from '../../experiments/service.js';
import type { RecommendationAnswer, RecommendedItem } from '../answers.js';
import { loadSlotInSteps, type ModelSlot } from '../model-slot.js';
import type { RecommendRequest } from './answer-cache.js';
import type { ExposureLog } from './exposure-log.js';
import type { ModelHolder } from './model-holder.js';
import type { RecommendService } from './recommend.js';

/** How often the running experiments are read again (`reco experiment` may change them beside the server). */
const REFRESH_MS = 2000;

export class ExperimentServing {
  /** Bundles of experiment variants, by version (the bundle in use is never loaded twice). */
  private readonly slots = new Map<string, Promise<ModelSlot>>();

  constructor(
    readonly experiments: ExperimentService,
    private readonly recommend: RecommendService,
    private readonly models: ModelHolder,
    readonly log: ExposureLog,
  ) {}

  /** Why a bundle version cannot serve a variant (no such folder), or undefined. */
  static bundleProblem(modelsDir: string, version: string): string | undefined {
    if (version.includes('/') || version.includes('\\') || version.startsWith('.'))
      return `"${version}" is not a bundle version`;
    return existsSync(join(modelsDir, version, 'manifest.json'))
      ? undefined
      : `no bundle "${version}" in the models folder (GET /v1/models lists them)`;
  }

  /** A request's answer: by the user's variant when a running experiment holds him. */
  async answer(req: RecommendRequest): Promise<RecommendationAnswer> {
    this.experiments.refreshIfOlder(REFRESH_MS);
    if (!this.experiments.active || req.strategy !== undefined) return this.recommend.recommendAsync(req);
    const a = this.experiments.assign(req.userId);
    if (!a) return this.recommend.recommendAsync(req);
    const started = performance.now();
    const request = randomUUID();
    const pair = interleavedPair(a.variant.strategy);
    let answer: RecommendationAnswer;
    let teams: number[] | undefined;
    if (pair) {
      [answer, teams] = await this.interleave(req, pair, request);
    } else if (a.variant.bundle !== undefined) {
      answer = await this.recommend.recommendAsync(req, await this.slotOf(a.variant.bundle));
    } else {
      answer = await this.recommend.recommendAsync({ ...req, strategy: a.variant.strategy! });
    }
    const out = { ...answer, request, experiment: { id: a.experiment.id, variant: a.variant.name } };
    this.log.push(this.exposure(a, req.userId, request, out.items ?? [], teams, performance.now() - started));
    return out;
  }

  private exposure(
    a: Assignment,
    user: string,
    request: string,
    items: RecommendedItem[],
    teams: number[] | undefined,
    latencyMs: number,
  ) {
    return {
      request,
      experiment: a.experiment.id,
      variant: a.index,
      user,
      items: items.map((x) => x.id!),
      ...(teams ? { teams } : {}),
      timestamp: Date.now(),
      latencyMs,
    };
  }

  /** Both rankers' lists merged by team draft (seeded by the request id). */
  private async interleave(
    req: RecommendRequest,
    [a, b]: [string, string],
    request: string,
  ): Promise<[RecommendationAnswer, number[]]> {
    const [ra, rb] = await Promise.all([
      this.recommend.recommendAsync({ ...req, strategy: a }),
      this.recommend.recommendAsync({ ...req, strategy: b }),
    ]);
    const byId = new Map<string, RecommendedItem>();
    for (const x of [...(ra.items ?? []), ...(rb.items ?? [])]) if (!byId.has(x.id!)) byId.set(x.id!, x);
    const ids = (r: RecommendationAnswer) => (r.items ?? []).map((x) => x.id!);
    const merged = interleave(ids(ra), ids(rb), req.k, request);
    const answer: RecommendationAnswer = {
      user: req.userId,
      model: `interleave:${ra.model},${rb.model}`,
      ...(ra.version !== undefined ? { version: ra.version } : {}),
      strategy: `interleave:${a},${b}`,
      items: merged.items.map((id) => byId.get(id)!),
    };
    return [answer, merged.teams];
  }

  /**
   * The slot of a variant's bundle: the one in use, or one loaded once and kept. Loaded a model a turn
   * (loadSlotInSteps), so that the first request of a bundle variant does not stall the event loop; requests
   * meanwhile wait for the same load.
   */
  private slotOf(version: string): Promise<ModelSlot> {
    const current = this.models.slot;
    if (current?.version === version) return Promise.resolve(current);
    let slot = this.slots.get(version);
    if (!slot) {
      const modelsDir = this.models.modelsDir;
      slot = loadSlotInSteps(modelsDir, version, {}, nextTurn).then(
        async (loaded) => {
          // its ranked model learns from the events as the bundle in use does (caught up, then fed)
          await this.models.follow(loaded);
          return loaded;
        },
        (err: unknown) => {
          this.slots.delete(version);
          const message = (err as Error).message.split(modelsDir).join('models');
          throw new UnavailableError(`the experiment's bundle ${version} does not load: ${message}`);
        },
      );
      this.slots.set(version, slot);
    }
    return slot;
  }

  /** Writes the queued exposures (at close). */
  close(): Promise<void> {
    return this.log.flush();
  }
}

/**
 * `strategy=ranked` without a ranked model in the bundle: about `total` candidates (the slot's candidate
 * generators taken in turn, the neighbours of the user's recent items, the most popular items: stage 1 of
 * ../../../ranking/candidates.ts) ordered by the bundle's best model, and the answer says so.
 */
import { selectTopN } from '../../../core/top-n.js';
import { CandidateGenerator, type CandidateSet, type CandidateSource } from '../../../ranking/candidates.js';
import type { UserProfile } from '../../../recommenders/recommender.js';
import type { FeatureContribution, RecommendationAnswer } from '../../answers.js';
import type { ModelSlot } from '../../model-slot.js';
import type { Catalogue } from '../catalogue.js';
import type { LiveInteractions } from '../live-interactions.js';
import type { LivePopularity } from '../live-popularity.js';
import { answerBase, type RecommendContext, type Strategy } from './strategy.js';

export const SOURCE_RECENT = 'recent-neighbours';
export const SOURCE_POPULAR = 'popular';
/** Neighbours taken per recent item. */
const NEIGHBOURS = 10;
/** Popular items taken. */
const POPULAR = 50;
const EMPTY_ITEMS = new Int32Array(0);

/** The slot's generator, with the per-request quotas (per source) and budgets (per group) it is given. */
interface SlotCandidates {
  slot: ModelSlot;
  gen: CandidateGenerator;
  /** Model sources first: the slot's generators. */
  generators: number;
  take: Int32Array;
  budgets: Int32Array;
  /** The index of the popular source. */
  popular: number;
}

export class RankedFallbackStrategy implements Strategy {
  readonly name = 'ranked-fallback';
  private current?: SlotCandidates;

  constructor(
    private readonly catalogue: Catalogue,
    private readonly interactions: LiveInteractions,
    private readonly popularity: LivePopularity,
    /** Candidates wanted in all. */
    private readonly total = 300,
  ) {}

  serves(ctx: RecommendContext): boolean {
    return ctx.strategy === 'ranked';
  }

  /** The slot's candidate generator: its generators (one group, in turn), recent neighbours, popular items. */
  private candidatesOf(slot: ModelSlot): SlotCandidates {
    if (this.current?.slot === slot) return this.current;
    const sources: CandidateSource[] = slot.generators.map((name) => ({ model: slot.model(name)!, n: 1 }));
    const groups = sources.length > 0 ? [sources.length] : [];
    const similar = slot.similarModel ? slot.model(slot.similarModel) : undefined;
    if (similar) {
      sources.push({ kind: 'neighbours', name: SOURCE_RECENT, model: similar, n: NEIGHBOURS });
      groups.push(1);
    }
    sources.push({
      kind: 'vector',
      name: SOURCE_POPULAR,
      n: POPULAR,
      scores: () => this.popularity.scores(),
    });
    groups.push(1);
    this.current = {
      slot,
      gen: new CandidateGenerator(sources, slot.fitted.items, { groups, withinItems: true }),
      generators: slot.generators.length,
      take: Int32Array.from(sources, (s) => s.n),
      budgets: new Int32Array(groups.length).fill(0x7fffffff),
      popular: sources.length - 1,
    };
    return this.current;
  }

  /**
   * The candidates for a profile and his recent items: the generators fill what the neighbours and
   * popular items leave, taking their lists in turn, rank by rank, each with a share of that budget and
   * room for overlap.
   */
  candidates(
    slot: ModelSlot,
    profile: UserProfile,
    recent: Int32Array,
    options: { excludeSeen: boolean; allowed?: Uint8Array },
  ): SlotCandidates & { cands: CandidateSet } {
    const c = this.candidatesOf(slot);
    const G = c.generators;
    const budget = Math.max(0, this.total - POPULAR - Math.min(recent.length * NEIGHBOURS, this.total >> 2));
    const want = G === 1 ? budget : Math.min(budget, Math.ceil((1.5 * budget) / G));
    for (let g = 0; g < G; g++) c.take[g] = want;
    if (G > 0) c.budgets[0] = budget;
    return { ...c, cands: c.gen.generate(profile, { ...options, recent, take: c.take, budgets: c.budgets }) };
  }

  answer(ctx: RecommendContext): RecommendationAnswer {
    const { slot, profile } = ctx;
    const recent = ctx.u === undefined ? EMPTY_ITEMS : this.interactions.recentItems(ctx.u);
    const { cands, generators, popular } = this.candidates(slot, profile, recent, {
      excludeSeen: ctx.excludeSeen,
      ...(ctx.allowed ? { allowed: ctx.allowed } : {}),
    });
    const n = cands.items.length;
    const scores = new Float32Array(n);
    const model = slot.bestModel;
    const all = slot.scoreBest(profile, cands);
    for (let c = 0; c < n; c++) scores[c] = all[cands.items[c]!]!;
    const note = `no ranked model in bundle ${slot.version}${slot.rankerNote ? ` (${slot.rankerNote})` : ''}: ${n} candidates ordered by ${model}, the bundle's best model`;
    const top = selectTopN(scores, ctx.k);
    const items = new Int32Array(top.items.length);
    for (let r = 0; r < items.length; r++) items[r] = cands.items[top.items[r]!]!;
    const describe = ctx.explain
      ? (r: number) => {
          const c = top.items[r]!;
          const i = cands.items[c]!;
          const sources: string[] = [];
          for (let s = 0; s < cands.sources.length; s++)
            if (cands.proposedBy[c]! & (1 << s)) sources.push(cands.sources[s]!);
          const features: FeatureContribution[] = [];
          for (let g = 0; g < generators; g++)
            features.push({ name: `${cands.sources[g]}_score`, value: cands.full[g]![i]! });
          features.push({ name: 'popularity', value: cands.full[popular]![i]! });
          return { sources, features };
        }
      : undefined;
    return {
      ...answerBase(ctx),
      model,
      items: this.catalogue.answerItems(items, top.scores, describe),
      note,
    };
  }
}

/**
 * One way of answering a recommendation request. The recommend service (../recommend.ts) asks an ordered
 * chain of strategies; the first that serves the request answers it (a strategy that does not serve it
 * leaves it to the next: that is the fallback). Each answer says which model ordered its list (`model`)
 * and, when that is not the strategy asked for, why (`note`).
 */
import type { UserProfile } from '../../../recommenders/recommender.js';
import type { RecommendationAnswer } from '../../answers.js';
import type { ModelSlot } from '../../model-slot.js';

/** A request checked against the slot in use, with the user's live profile. */
export interface RecommendContext {
  readonly slot: ModelSlot;
  readonly userId: string;
  /** The user's dense index; undefined for a user the store does not know. */
  readonly u: number | undefined;
  readonly profile: UserProfile;
  /** The strategy asked for: a model of the bundle, or `ranked`. */
  readonly strategy: string;
  readonly k: number;
  readonly excludeSeen: boolean;
  readonly explain: boolean;
  /** Only these items (a genre filter), when given. */
  readonly allowed: Uint8Array | undefined;
  /** Whether the answer may come later (a promise: the rank threads). */
  readonly async: boolean;
}

export interface Strategy {
  /** What it is, for tests and diagnostics. */
  readonly name: string;
  /** Whether it answers this request. */
  serves(ctx: RecommendContext): boolean;
  answer(ctx: RecommendContext): RecommendationAnswer | Promise<RecommendationAnswer>;
}

/** The part of an answer every strategy gives alike. */
export function answerBase(ctx: RecommendContext): { user: string; version: string; strategy: string } {
  return { user: ctx.userId, version: ctx.slot.version, strategy: ctx.strategy };
}

/** The recommend options of a context. */
export function recommendOptions(ctx: RecommendContext): { excludeSeen: boolean; allowed?: Uint8Array } {
  return { excludeSeen: ctx.excludeSeen, ...(ctx.allowed ? { allowed: ctx.allowed } : {}) };
}

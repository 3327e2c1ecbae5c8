/**
 * What an experiment is, checked once: the input a client gives (name, variants with a strategy or a
 * bundle version and a weight, attribution window, coverage, seed, draft or running), the strategies a
 * variant may name (a model, `ranked`, or `interleave:A,B` of two of them), and the assignment of a user
 * to a variant (GrowthBook's v2 hash of seed + user id over the variants' bucket ranges, ./hash.ts).
 */
import { randomBytes } from 'node:crypto';
import { idProblem } from '../data/valid.js';
import { InvalidInputError } from '../errors.js';
import type { ExperimentRecord, VariantRecord } from '../store/experiments.js';
import { MODEL_NAMES } from '../types.js';
import { type BucketRange, chooseVariation, getBucketRanges, hash } from './hash.js';

/** What a client sends to create an experiment. */
export interface ExperimentInput {
  name: string;
  variants: { name: string; weight?: number; strategy?: string; bundle?: string }[];
  /** Default 24. */
  attributionHours?: number;
  /** Share of users in the experiment, (0, 1]; default 1. */
  coverage?: number;
  /** The hash's salt; default the experiment's id. */
  seed?: string;
  /** `draft` creates it without starting it; default running. */
  status?: 'draft' | 'running';
}

export const MAX_VARIANTS = 10;
export const DEFAULT_ATTRIBUTION_HOURS = 24;
const INTERLEAVE = 'interleave:';

/** The two rankers of an `interleave:A,B` strategy, or undefined for any other strategy. */
export function interleavedPair(strategy: string | undefined): [string, string] | undefined {
  if (strategy === undefined || !strategy.startsWith(INTERLEAVE)) return undefined;
  const parts = strategy.slice(INTERLEAVE.length).split(',');
  return parts.length === 2 ? [parts[0]!, parts[1]!] : undefined;
}

const MODELS = new Set<string>(MODEL_NAMES);

/** Why a variant's strategy is not one reco serves, or undefined. */
export function strategyProblem(strategy: string): string | undefined {
  if (MODELS.has(strategy)) return undefined;
  if (strategy.startsWith(INTERLEAVE)) {
    const pair = interleavedPair(strategy);
    if (!pair || !MODELS.has(pair[0]) || !MODELS.has(pair[1]) || pair[0] === pair[1])
      return `"${strategy}": interleave:A,B needs two different strategies of ${MODEL_NAMES.join(', ')}`;
    return undefined;
  }
  return `"${strategy}" is not a strategy (one of ${MODEL_NAMES.join(', ')}, or interleave:A,B)`;
}

/**
 * The experiment an input describes, checked (every fault names its field: `variants[1].weight`); weights
 * are normalised to sum to 1. `bundleProblem` says why a bundle version cannot be served (serving knows).
 */
export function experimentOf(
  input: ExperimentInput,
  now: number,
  bundleProblem: (version: string) => string | undefined = () => undefined,
): ExperimentRecord {
  const nameFault = idProblem(input.name);
  if (nameFault) throw new InvalidInputError('name', nameFault);
  const given = input.variants;
  if (!Array.isArray(given) || given.length < 2 || given.length > MAX_VARIANTS)
    throw new InvalidInputError(
      'variants',
      `must list 2 to ${MAX_VARIANTS} variants (the first is the control)`,
    );
  const names = new Set<string>();
  const variants: VariantRecord[] = given.map((v, k) => {
    const field = (f: string) => `variants[${k}].${f}`;
    const fault = idProblem(v.name);
    if (fault) throw new InvalidInputError(field('name'), fault);
    if (names.has(v.name)) throw new InvalidInputError(field('name'), `"${v.name}" names two variants`);
    names.add(v.name);
    const weight = v.weight ?? 1 / given.length;
    if (!(Number.isFinite(weight) && weight > 0))
      throw new InvalidInputError(field('weight'), `must be a number above 0, got ${weight}`);
    if ((v.strategy === undefined) === (v.bundle === undefined))
      throw new InvalidInputError(field('strategy'), 'give either a strategy or a bundle version');
    if (v.strategy !== undefined) {
      const problem = strategyProblem(v.strategy);
      if (problem) throw new InvalidInputError(field('strategy'), problem);
      return { name: v.name, weight, strategy: v.strategy };
    }
    const problem = idProblem(v.bundle) ?? bundleProblem(v.bundle!);
    if (problem) throw new InvalidInputError(field('bundle'), problem);
    return { name: v.name, weight, bundle: v.bundle! };
  });
  const total = variants.reduce((s, v) => s + v.weight, 0);
  for (const v of variants) v.weight /= total;
  const hours = input.attributionHours ?? DEFAULT_ATTRIBUTION_HOURS;
  if (!(Number.isFinite(hours) && hours > 0 && hours <= 24 * 365))
    throw new InvalidInputError('attributionHours', `must be above 0 and at most 8760, got ${hours}`);
  const coverage = input.coverage ?? 1;
  if (!(Number.isFinite(coverage) && coverage > 0 && coverage <= 1))
    throw new InvalidInputError('coverage', `must be in (0, 1], got ${coverage}`);
  const id = `exp-${randomBytes(6).toString('hex')}`;
  if (input.seed !== undefined) {
    const fault = idProblem(input.seed);
    if (fault) throw new InvalidInputError('seed', fault);
  }
  const status = input.status ?? 'running';
  if (status !== 'draft' && status !== 'running')
    throw new InvalidInputError('status', `must be draft or running, got "${String(status)}"`);
  return {
    id,
    name: input.name,
    seed: input.seed ?? id,
    variants,
    coverage,
    attributionHours: hours,
    status,
    createdAt: now,
    startedAt: status === 'running' ? now : null,
    stoppedAt: null,
  };
}

/** An experiment's bucket ranges (cached by the caller: ./assignment's Assigner). */
export function rangesOf(e: ExperimentRecord): BucketRange[] {
  return getBucketRanges(
    e.variants.length,
    e.coverage,
    e.variants.map((v) => v.weight),
  );
}

/** The variant index of a user (-1: outside the coverage, served as usual). */
export function assignVariant(e: ExperimentRecord, userId: string, ranges = rangesOf(e)): number {
  const n = hash(e.seed, userId, 2);
  return n === null ? -1 : chooseVariation(n, ranges);
}

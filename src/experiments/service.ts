/**
 * Experiments as a library (the in-process API): create, list, read, start and stop experiments, assign
 * users to variants, log exposures and events, and compute results, over a store, without HTTP. The
 * server's routes and `reco experiment` call it; `reco loop` can drive it directly.
 */
import { ConflictError, NotFoundError } from '../errors.js';
import type { ExperimentRecord, ExposureRecord, VariantRecord } from '../store/experiments.js';
import type { Store } from '../store/store.js';
import type { EventRecord } from '../types.js';
import { assignVariant, type ExperimentInput, experimentOf, rangesOf } from './definition.js';
import type { BucketRange } from './hash.js';
import { type ExperimentResults, experimentResults, type ResultOptions } from './results.js';

/** A user's place in a running experiment. */
export interface Assignment {
  experiment: ExperimentRecord;
  /** Index into the experiment's variants. */
  index: number;
  variant: VariantRecord;
}

export interface ExperimentServiceOptions {
  /** The clock (ms since the epoch); default Date.now. */
  now?: () => number;
  /** Why a bundle version cannot be served (the server checks its models folder). */
  bundleProblem?: (version: string) => string | undefined;
}

export class ExperimentService {
  private runningList: { e: ExperimentRecord; ranges: BucketRange[] }[] = [];
  private refreshedAt = 0;
  private readonly now: () => number;

  constructor(
    readonly store: Store,
    private readonly options: ExperimentServiceOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.refresh();
  }

  /** Reads the running experiments again (after a change made elsewhere). */
  refresh(): void {
    this.refreshedAt = Date.now();
    this.runningList = this.store.experiments
      .list()
      .filter((e) => e.status === 'running')
      .map((e) => ({ e, ranges: rangesOf(e) }));
  }

  /** Reads the running experiments again when the last read is older than `ms` (another process's changes). */
  refreshIfOlder(ms: number): void {
    if (Date.now() - this.refreshedAt > ms) this.refresh();
  }

  /** Whether any experiment is running (serving's fast path when none). */
  get active(): boolean {
    return this.runningList.length > 0;
  }

  create(input: ExperimentInput): ExperimentRecord {
    const e = experimentOf(input, this.now(), this.options.bundleProblem);
    this.store.experiments.create(e);
    this.refresh();
    return e;
  }

  list(): ExperimentRecord[] {
    return this.store.experiments.list();
  }

  get(id: string): ExperimentRecord {
    const e = this.store.experiments.get(id);
    if (!e) throw new NotFoundError(`unknown experiment "${id}"`, 'id');
    return e;
  }

  /** Starts a draft. */
  start(id: string): ExperimentRecord {
    const e = this.get(id);
    if (e.status !== 'draft') throw new ConflictError(`experiment "${id}" is ${e.status}, not a draft`, 'id');
    this.store.experiments.setStatus(id, 'running', this.now());
    this.refresh();
    return this.get(id);
  }

  /** Stops a running experiment (or a draft); its results stay readable. */
  stop(id: string): ExperimentRecord {
    const e = this.get(id);
    if (e.status === 'stopped') throw new ConflictError(`experiment "${id}" is already stopped`, 'id');
    this.store.experiments.setStatus(id, 'stopped', this.now());
    this.refresh();
    return this.get(id);
  }

  /**
   * A user's variant in the newest running experiment whose coverage holds him (one experiment decides an
   * answer); undefined when none does.
   */
  assign(userId: string): Assignment | undefined {
    for (const { e, ranges } of this.runningList) {
      const index = assignVariant(e, userId, ranges);
      if (index >= 0) return { experiment: e, index, variant: e.variants[index]! };
    }
    return undefined;
  }

  /** A user's variant in one experiment (running or not), or undefined outside its coverage. */
  variantOf(id: string, userId: string): Assignment | undefined {
    const e = this.get(id);
    const index = assignVariant(e, userId);
    return index < 0 ? undefined : { experiment: e, index, variant: e.variants[index]! };
  }

  logExposures(exposures: readonly ExposureRecord[]): void {
    this.store.experiments.logExposures(exposures);
  }

  /** Stores events (users created on first sight, items and types must exist), with their request ids. */
  recordEvents(events: readonly EventRecord[]): number {
    return this.store.insertEvents(events, { createItems: false, createTypes: false });
  }

  results(id: string, options: ResultOptions = {}): ExperimentResults {
    return experimentResults(this.store, this.get(id), { now: this.now(), ...options });
  }
}

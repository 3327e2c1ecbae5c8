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

  private constructor(
    readonly store: Store,
    private readonly options: ExperimentServiceOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The service with the running experiments read. */
  static async open(store: Store, options: ExperimentServiceOptions = {}): Promise<ExperimentService> {
    const service = new ExperimentService(store, options);
    await service.refresh();
    return service;
  }

  /** Reads the running experiments again (after a change made elsewhere). */
  async refresh(): Promise<void> {
    this.refreshedAt = Date.now();
    // earliest started first: the first whose coverage holds a user decides (assign)
    this.runningList = (await this.store.experiments.list())
      .filter((e) => e.status === 'running')
      .sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0) || a.createdAt - b.createdAt)
      .map((e) => ({ e, ranges: rangesOf(e) }));
  }

  /** Tells the other processes sharing the store (replicas) that the experiments changed. */
  private async changed(): Promise<void> {
    await this.store.feed?.announce({ topic: 'experiments' });
  }

  /**
   * Reads the running experiments again, in the background, when the last read is older than `ms` (another
   * process's changes); the list read last serves meanwhile.
   */
  refreshIfOlder(ms: number): void {
    if (Date.now() - this.refreshedAt <= ms) return;
    this.refreshedAt = Date.now();
    this.refresh().catch(() => {
      // the store did not answer: the list read last serves on, and the next request tries again
      this.refreshedAt = 0;
    });
  }

  /** Whether any experiment is running (serving's fast path when none). */
  get active(): boolean {
    return this.runningList.length > 0;
  }

  async create(input: ExperimentInput): Promise<ExperimentRecord> {
    const e = experimentOf(input, this.now(), this.options.bundleProblem);
    if (e.status === 'running') await this.refuseOverlap(e);
    await this.store.experiments.create(e);
    await this.refresh();
    await this.changed();
    return e;
  }

  list(): Promise<ExperimentRecord[]> {
    return this.store.experiments.list();
  }

  async get(id: string): Promise<ExperimentRecord> {
    const e = await this.store.experiments.get(id);
    if (!e) throw new NotFoundError(`unknown experiment "${id}"`, 'id');
    return e;
  }

  /** Starts a draft. */
  async start(id: string): Promise<ExperimentRecord> {
    const e = await this.get(id);
    if (e.status !== 'draft') throw new ConflictError(`experiment "${id}" is ${e.status}, not a draft`, 'id');
    await this.refuseOverlap(e);
    await this.store.experiments.setStatus(id, 'running', this.now());
    await this.refresh();
    await this.changed();
    return this.get(id);
  }

  /** Stops a running experiment (or a draft); its results stay readable. */
  async stop(id: string): Promise<ExperimentRecord> {
    const e = await this.get(id);
    if (e.status === 'stopped') throw new ConflictError(`experiment "${id}" is already stopped`, 'id');
    await this.store.experiments.setStatus(id, 'stopped', this.now());
    await this.refresh();
    await this.changed();
    return this.get(id);
  }

  /**
   * One experiment decides a user's answer: the earliest started of the running experiments whose coverage
   * holds him. A running experiment's users therefore never change when another starts; a later one gets
   * only the users the earlier ones leave out (with independent seeds, a random share of the
   * product of their coverage gaps). Starting an experiment is refused (409) when a running one holds every
   * user (coverage 1: the newcomer would get nobody) or shares its seed (the same hash: the newcomer would
   * get only the buckets the other leaves out, some of its variants none).
   */
  private async refuseOverlap(e: ExperimentRecord): Promise<void> {
    await this.refresh();
    for (const { e: other } of this.runningList) {
      if (other.id === e.id) continue;
      if (other.coverage >= 1)
        throw new ConflictError(
          `experiment "${other.id}" (${other.name}) is running on every user (coverage 1): stop it, or give it coverage below 1, before starting another`,
          'coverage',
        );
      if (other.seed === e.seed)
        throw new ConflictError(
          `experiment "${other.id}" (${other.name}) is running with the same seed: give this one another seed`,
          'seed',
        );
    }
  }

  /**
   * A user's variant in the earliest started running experiment whose coverage holds him (one experiment
   * decides an answer: refuseOverlap above); undefined when none does.
   */
  assign(userId: string): Assignment | undefined {
    for (const { e, ranges } of this.runningList) {
      const index = assignVariant(e, userId, ranges);
      if (index >= 0) return { experiment: e, index, variant: e.variants[index]! };
    }
    return undefined;
  }

  /** A user's variant in one experiment (running or not), or undefined outside its coverage. */
  async variantOf(id: string, userId: string): Promise<Assignment | undefined> {
    const e = await this.get(id);
    const index = assignVariant(e, userId);
    return index < 0 ? undefined : { experiment: e, index, variant: e.variants[index]! };
  }

  logExposures(exposures: readonly ExposureRecord[]): Promise<void> {
    return this.store.experiments.logExposures(exposures);
  }

  /** Stores events (users created on first sight, items and types must exist), with their request ids. */
  recordEvents(events: readonly EventRecord[]): Promise<number> {
    return this.store.insertEvents(events, { createItems: false, createTypes: false });
  }

  async results(id: string, options: ResultOptions = {}): Promise<ExperimentResults> {
    return experimentResults(this.store, await this.get(id), { now: this.now(), ...options });
  }
}

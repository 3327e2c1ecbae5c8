/**
 * What the store keeps for online experiments (migration 6 in ./migrations.ts): experiments (their
 * variants, seed, attribution window, status and times), the exposure log (one row per answer served in a
 * running experiment: its request id, variant, user, the items by position and, for an interleaved answer,
 * the ranker that placed each), and the request id an event may carry. The Store reaches them as
 * `store.experiments` (./sqlite-experiments.ts; on PostgreSQL ./pg-experiments.ts); the logic is in
 * ../experiments/.
 */

export const EXPERIMENT_STATUSES = ['draft', 'running', 'stopped'] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];

/** One arm: a strategy (a model name, `ranked`, or `interleave:A,B`) or a bundle version, with its weight. */
export interface VariantRecord {
  name: string;
  weight: number;
  strategy?: string;
  bundle?: string;
}

export interface ExperimentRecord {
  /** `exp-` and random hex, never chosen by a client. */
  id: string;
  name: string;
  /** The hash's salt (GrowthBook's seed): the id unless given. */
  seed: string;
  variants: VariantRecord[];
  /** Share of users in the experiment (the rest are served as usual). */
  coverage: number;
  /** How long after an exposure an event naming one of its items counts for it. */
  attributionHours: number;
  status: ExperimentStatus;
  /** ms since the epoch. */
  createdAt: number;
  /** When it started running (null for a draft). */
  startedAt: number | null;
  stoppedAt: number | null;
}

/** One answer served in a running experiment. */
export interface ExposureRecord {
  /** The request id returned in the answer (events may carry it). */
  request: string;
  experiment: string;
  /** Index into the experiment's variants. */
  variant: number;
  /** External user id (the user may not exist in the store yet). */
  user: string;
  /** Item ids by position. */
  items: string[];
  /**
   * Interleaving: the ranker that placed the item at each position (0 = A, 1 = B), or NEUTRAL (2) for an
   * item both rankers proposed (../experiments/interleave.ts; credited to neither).
   */
  teams?: number[];
  /** ms since the epoch. */
  timestamp: number;
  /** Time to compute the answer, ms (a guardrail). */
  latencyMs: number;
}

/** An event of an exposed user, with the request id it carried. */
export interface ExperimentEvent {
  item: string;
  type: string;
  value: number;
  timestamp: number;
  request: string | null;
}

export interface ExperimentStore {
  create(e: ExperimentRecord): Promise<void>;
  get(id: string): Promise<ExperimentRecord | undefined>;
  /** Newest first. */
  list(): Promise<ExperimentRecord[]>;
  /** Sets the status (and its time). */
  setStatus(id: string, status: ExperimentStatus, at: number): Promise<void>;
  /** Appends exposures in one transaction. */
  logExposures(exposures: readonly ExposureRecord[]): Promise<void>;
  /** An experiment's exposures in time order (up to `until` when given). */
  exposures(experiment: string, until?: number): Promise<ExposureRecord[]>;
  /**
   * A user's events at or after `since` (and at or before `until`), and every event of his that carries a
   * request id whatever its time (a client may stamp events with its own clock, as `reco loop` does with
   * simulated time), in time order, with their request ids.
   */
  userEvents(user: string, since: number, until?: number): Promise<ExperimentEvent[]>;
  /** Per user, how many events he has in [from, to) (CUPED's pre-exposure covariate). */
  eventCount(user: string, from: number, to: number): Promise<number>;
  /** Records the request ids carried by the events with the given ids. */
  tagEvents(tags: readonly { eventId: number; request: string }[]): Promise<void>;
}

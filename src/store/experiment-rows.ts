/**
 * The rows of the experiments' tables as both stores read them (./sqlite-experiments.ts,
 * ./pg-experiments.ts), mapped to records in one place. Lists (variants, an exposure's items and teams) are
 * read as JSON text: SQLite keeps text, PostgreSQL jsonb selected as `::text`.
 */
import type {
  ExperimentEvent,
  ExperimentRecord,
  ExperimentStatus,
  ExposureRecord,
  VariantRecord,
} from './experiments.js';

export interface ExperimentRow {
  id: string;
  name: string;
  seed: string;
  variants: string;
  coverage: number;
  attribution_hours: number;
  status: ExperimentStatus;
  created_at: number;
  started_at: number | null;
  stopped_at: number | null;
}

/** request, experiment, variant, user_id, items (JSON), teams (JSON or null), ts, latency_ms. */
export type ExposureRow = [string, string, number, string, string, string | null, number, number];

export const EXPERIMENT_COLUMNS =
  'id, name, seed, variants, coverage, attribution_hours, status, created_at, started_at, stopped_at' as const;

/** An experiment's values in EXPERIMENT_COLUMNS' order (variants as JSON text). */
export function experimentValues(e: ExperimentRecord): (string | number | null)[] {
  return [
    e.id,
    e.name,
    e.seed,
    JSON.stringify(e.variants),
    e.coverage,
    e.attributionHours,
    e.status,
    e.createdAt,
    e.startedAt,
    e.stoppedAt,
  ];
}

export function experimentOf(r: ExperimentRow): ExperimentRecord {
  return {
    id: r.id,
    name: r.name,
    seed: r.seed,
    variants: JSON.parse(r.variants) as VariantRecord[],
    coverage: r.coverage,
    attributionHours: r.attribution_hours,
    status: r.status,
    createdAt: r.created_at,
    startedAt: r.started_at,
    stoppedAt: r.stopped_at,
  };
}

/** The time column a status sets beside it (a draft: none). */
export function statusTimeColumn(status: ExperimentStatus): 'started_at' | 'stopped_at' | undefined {
  return status === 'running' ? 'started_at' : status === 'stopped' ? 'stopped_at' : undefined;
}

/** An exposure's values in ExposureRow's order (lists as JSON text). */
export function exposureValues(x: ExposureRecord): ExposureRow {
  return [
    x.request,
    x.experiment,
    x.variant,
    x.user,
    JSON.stringify(x.items),
    x.teams ? JSON.stringify(x.teams) : null,
    x.timestamp,
    x.latencyMs,
  ];
}

export function exposureOf(r: ExposureRow): ExposureRecord {
  return {
    request: r[0],
    experiment: r[1],
    variant: r[2],
    user: r[3],
    items: JSON.parse(r[4]) as string[],
    ...(r[5] !== null ? { teams: JSON.parse(r[5]) as number[] } : {}),
    timestamp: r[6],
    latencyMs: r[7],
  };
}

/** A user's event as userEvents reads it: item id, type name, value, ts, request id. */
export type UserEventRow = [string, string, number, number, string | null];

export function userEventOf(r: UserEventRow): ExperimentEvent {
  return { item: r[0], type: r[1], value: r[2], timestamp: r[3], request: r[4] };
}

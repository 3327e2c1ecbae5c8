/** Columns for `n` events (./store.ts EventColumns), zeroed, to be filled by a store's read. */
import type { EventColumns, EventLogOptions } from './store.js';

export function eventColumns(n: number): EventColumns {
  return {
    user: new Int32Array(n),
    item: new Int32Array(n),
    type: new Uint8Array(n),
    value: new Float32Array(n),
    timestamp: new Float64Array(n),
    length: n,
  };
}

/**
 * The SQL WHERE clause (or nothing) choosing the events `options` names, on columns `ts` and `id`, with its
 * numbers inlined (both are checked to be finite; times are whole milliseconds in both stores).
 */
export function eventLogWhere(options: EventLogOptions): string {
  const clauses: string[] = [];
  if (options.until !== undefined) clauses.push(`ts < ${Math.ceil(finite(options.until, 'until'))}`);
  if (options.upTo !== undefined) clauses.push(`id <= ${Math.floor(finite(options.upTo, 'upTo'))}`);
  return clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`;
}

function finite(x: number, name: string): number {
  if (!Number.isFinite(x)) throw new RangeError(`loadEventLog: ${name} must be a finite number, got ${x}`);
  return x;
}

/** A stored event as a read gives it: position, user, item, type code, value, time. */
export type EventRow = readonly [number, number, number, number, number, number];

/** Puts `row` at index k of `out`, whose position moves to the row's (reads in position order). */
export function putEventRow(out: EventColumns & { position: number }, k: number, row: EventRow): void {
  out.user[k] = row[1];
  out.item[k] = row[2];
  out.type[k] = row[3];
  out.value[k] = row[4];
  out.timestamp[k] = row[5];
  out.position = row[0];
}

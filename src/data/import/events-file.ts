/**
 * `reco import events FILE`: interaction events from CSV/TSV. With a header, columns are found by name
 * (user, item, and optionally rating/value, timestamp/time, type; common aliases accepted); without one,
 * `columns` gives their order. Everything lands in one transaction, or nothing does.
 */
import { statSync } from 'node:fs';
import { InputError, UsageError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import type { EventRecord } from '../../types.js';
import { readDelimited } from './delimited.js';
import { parseNumberField, parseTimestampField, requireField } from './fields.js';

export type EventColumn = 'user' | 'item' | 'rating' | 'value' | 'timestamp' | 'type' | 'skip';

const ALIASES: Record<string, EventColumn> = {
  user: 'user',
  user_id: 'user',
  userid: 'user',
  item: 'item',
  item_id: 'item',
  itemid: 'item',
  movie: 'item',
  movie_id: 'item',
  movieid: 'item',
  rating: 'rating',
  value: 'value',
  weight: 'value',
  timestamp: 'timestamp',
  time: 'timestamp',
  ts: 'timestamp',
  date: 'timestamp',
  type: 'type',
  event: 'type',
  event_type: 'type',
};

export interface ImportEventsOptions {
  /** Column order when the file has no header, e.g. ['user', 'item', 'rating', 'timestamp']. */
  columns?: EventColumn[];
  delimiter?: string;
  /** Event type for rows without a type column: 'rating' when a rating column exists, else this (default 'view'). */
  defaultType?: string;
  /** Timestamp for rows without one (default: now). */
  defaultTimestamp?: number;
  onProgress?: (rows: number) => void;
}

export interface ImportSummary {
  file: string;
  rows: number;
  users: number;
  items: number;
}

export function parseColumnList(spec: string): EventColumn[] {
  const cols = spec.split(',').map((s) => s.trim().toLowerCase());
  const out: EventColumn[] = [];
  for (const c of cols) {
    const col = c === '' || c === '_' || c === 'skip' ? 'skip' : ALIASES[c];
    if (!col) {
      throw new UsageError(
        `--columns: unknown column "${c}" (use user, item, rating, value, timestamp, type, or _ to skip)`,
      );
    }
    out.push(col);
  }
  return out;
}

function resolveColumns(names: EventColumn[], file: string): Map<EventColumn, number> {
  const map = new Map<EventColumn, number>();
  names.forEach((c, i) => {
    if (c === 'skip') return;
    if (map.has(c)) throw new InputError(`column "${c}" appears twice`, file, 1);
    map.set(c, i);
  });
  for (const required of ['user', 'item'] as const) {
    if (!map.has(required)) {
      throw new InputError(
        `no "${required}" column (columns: ${names.join(', ')}); name it in the header or pass --columns`,
        file,
        1,
      );
    }
  }
  if (map.has('rating') && map.has('value'))
    throw new InputError('both "rating" and "value" columns given', file, 1);
  return map;
}

export async function importEventsFile(
  store: Store,
  file: string,
  options: ImportEventsOptions = {},
): Promise<ImportSummary> {
  const before = store.counts();
  let cols: Map<EventColumn, number> | undefined = options.columns
    ? resolveColumns(options.columns, file)
    : undefined;
  let width = options.columns?.length ?? 0;
  const now = options.defaultTimestamp ?? Date.now();
  const BATCH = 10_000;
  let batch: EventRecord[] = [];
  let rows = 0;
  let sawHeader = false;

  // about 30 bytes a row in a typical events file
  const expectedEvents = (statSync(file, { throwIfNoEntry: false })?.size ?? 0) / 30;
  await store.transactionAsync(
    async () => {
      for await (const { line, fields } of readDelimited(file, { delimiter: options.delimiter })) {
        if (!cols) {
          const names = fields.map((f) => {
            const c = ALIASES[f.trim().toLowerCase()];
            return c ?? 'skip';
          });
          cols = resolveColumns(names, file);
          width = fields.length;
          sawHeader = true;
          continue;
        }
        if (fields.length !== width) {
          throw new InputError(`expected ${width} fields, found ${fields.length}`, file, line);
        }
        const at = (column: string) => ({ file, line, column });
        const user = requireField(fields[cols.get('user')!], at('user'));
        const item = requireField(fields[cols.get('item')!], at('item'));
        const ratingCol = cols.get('rating');
        const valueCol = cols.get('value');
        const tsCol = cols.get('timestamp');
        const typeCol = cols.get('type');
        const value =
          ratingCol !== undefined
            ? parseNumberField(fields[ratingCol]!, at('rating'))
            : valueCol !== undefined
              ? parseNumberField(fields[valueCol]!, at('value'))
              : 1;
        const timestamp = tsCol !== undefined ? parseTimestampField(fields[tsCol]!, at('timestamp')) : now;
        const type =
          typeCol !== undefined
            ? requireField(fields[typeCol], at('type'))
            : ratingCol !== undefined
              ? 'rating'
              : (options.defaultType ?? 'view');
        batch.push({ user, item, type, value, timestamp });
        rows++;
        if (batch.length >= BATCH) {
          store.insertEvents(batch);
          batch = [];
          options.onProgress?.(rows);
        }
      }
      if (batch.length > 0) store.insertEvents(batch);
      options.onProgress?.(rows);
      if (rows === 0) {
        throw new InputError(sawHeader ? 'no events after the header' : 'no events in the file', file);
      }
    },
    { expectedEvents },
  );
  const after = store.counts();
  return { file, rows, users: after.users - before.users, items: after.items - before.items };
}

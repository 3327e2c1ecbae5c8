/**
 * `reco import events FILE`: interaction events from CSV/TSV. With a header, columns are found by name
 * (user, item, and optionally rating/value, timestamp/time, type; common aliases accepted); without one,
 * `columns` gives their order. Everything lands in one transaction, or nothing does.
 */
import { statSync } from 'node:fs';
import { InputError, UsageError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import type { EventRecord } from '../../types.js';
import { readDelimitedRuns } from './delimited.js';
import { type FieldPlace, parseIdField, parseTimestampField, parseValueField } from './fields.js';

export type EventColumn = 'user' | 'item' | 'rating' | 'value' | 'timestamp' | 'type' | 'skip';

const ALIASES: ReadonlyMap<string, EventColumn> = new Map<string, EventColumn>(
  Object.entries({
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
  }) as [string, EventColumn][],
);

/**
 * How the columns are found: by the header's names (common aliases, or `names` mapping a header name to
 * a column), or by position (`order`) in a file without a header or whose header is skipped.
 */
export type ColumnSpec =
  | { kind: 'order'; columns: EventColumn[] }
  | { kind: 'names'; names: ReadonlyMap<string, EventColumn> };

/** What the first line is: column names (default without `--columns` as an order), skipped, or data. */
export type HeaderMode = 'names' | 'skip' | 'none';

export interface ImportEventsOptions {
  /** Column order or header-name mapping (see ColumnSpec); default: the header's names and aliases. */
  columns?: ColumnSpec;
  /** Default: 'none' with a column order, 'names' otherwise. */
  header?: HeaderMode;
  delimiter?: string;
  /** Fields are never quoted: a `"` is an ordinary character (e.g. `"Weird Al" Yankovic` in a TSV). */
  noQuotes?: boolean;
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
  /** Event types the file named that were not declared: declared now with their built-in or default rule. */
  newTypes: string[];
}

/** Events handed to the store at a time. */
const IMPORT_BATCH = 10_000;

function columnNamed(c: string): EventColumn {
  const col = c === '' || c === '_' || c === 'skip' ? 'skip' : ALIASES.get(c);
  if (!col)
    throw new UsageError(
      `--columns: unknown column "${c}" (use user, item, rating, value, timestamp, type, or _ to skip)`,
    );
  return col;
}

/**
 * `--columns`: "user,item,rating,timestamp" (an order) or "userId=user,movieId=item,rating=rating" (header
 * names mapped to columns; the header's other columns are skipped).
 */
export function parseColumnSpec(spec: string): ColumnSpec {
  const parts = spec.split(',').map((s) => s.trim());
  if (parts.some((p) => p.includes('='))) {
    const names = new Map<string, EventColumn>();
    for (const p of parts) {
      const eq = p.indexOf('=');
      if (eq <= 0) throw new UsageError(`--columns: "${p}" is not of the form headerName=column`);
      const name = p.slice(0, eq).trim();
      if (names.has(name)) throw new UsageError(`--columns: header name "${name}" mapped twice`);
      names.set(
        name,
        columnNamed(
          p
            .slice(eq + 1)
            .trim()
            .toLowerCase(),
        ),
      );
    }
    return { kind: 'names', names };
  }
  return { kind: 'order', columns: parts.map((c) => columnNamed(c.toLowerCase())) };
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

/** Where each field of a row is (for the errors that name it) and which column holds it. */
interface RowPlaces {
  user: FieldPlace;
  item: FieldPlace;
  value: FieldPlace;
  timestamp: FieldPlace;
  type: FieldPlace;
  userCol: number;
  itemCol: number;
  valueCol: number | undefined;
  tsCol: number | undefined;
  typeCol: number | undefined;
  defaultType: string;
}

/**
 * The file's events, checked and parsed, in batches of `batch` records (the importer's part that needs no
 * store: `reco import events` hands each batch to the store; a benchmark can time it alone). Faults are
 * InputErrors naming the file, line and column; a file without events is one.
 */
export async function* readEventBatches(
  file: string,
  options: ImportEventsOptions = {},
  batch = 10_000,
): AsyncGenerator<EventRecord[]> {
  const spec = options.columns;
  const header = options.header ?? (spec?.kind === 'order' ? 'none' : 'names');
  if (header === 'names' && spec?.kind === 'order')
    throw new UsageError('--columns as an order needs --header skip or none (the order replaces the header)');
  if (header !== 'names' && spec?.kind !== 'order')
    throw new UsageError(`--header ${header} needs --columns as an order, e.g. user,item,rating,timestamp`);
  let cols: Map<EventColumn, number> | undefined =
    spec?.kind === 'order' ? resolveColumns(spec.columns, file) : undefined;
  let width = spec?.kind === 'order' ? spec.columns.length : 0;
  let skipFirst = header === 'skip';
  const now = options.defaultTimestamp ?? Date.now();
  let records: EventRecord[] = [];
  let rows = 0;
  let sawHeader = false;
  let places: RowPlaces | undefined;
  const typeNames = new Map<string, string>();
  const read = readDelimitedRuns(file, {
    ...(options.delimiter !== undefined ? { delimiter: options.delimiter } : {}),
    ...(options.noQuotes ? { noQuotes: true } : {}),
  });
  for await (const run of read)
    for (const { line, fields } of run) {
      if (skipFirst) {
        skipFirst = false;
        sawHeader = true;
        continue;
      }
      if (!cols) {
        const mapped = spec?.kind === 'names' ? spec.names : undefined;
        const names = fields.map((f) =>
          mapped ? (mapped.get(f.trim()) ?? 'skip') : (ALIASES.get(f.trim().toLowerCase()) ?? 'skip'),
        );
        if (mapped)
          for (const name of mapped.keys())
            if (!fields.some((f) => f.trim() === name))
              throw new InputError(
                `--columns names "${name}", which the header lacks (header: ${fields.join(', ')})`,
                file,
                line,
              );
        cols = resolveColumns(names, file);
        width = fields.length;
        sawHeader = true;
        continue;
      }
      if (fields.length !== width) {
        throw new InputError(`expected ${width} fields, found ${fields.length}`, file, line);
      }
      // one place per column, its line set per row (read only when a field is refused)
      places ??= {
        user: { file, line, column: 'user' },
        item: { file, line, column: 'item' },
        value: { file, line, column: cols.has('rating') ? 'rating' : 'value' },
        timestamp: { file, line, column: 'timestamp' },
        type: { file, line, column: 'type' },
        userCol: cols.get('user')!,
        itemCol: cols.get('item')!,
        valueCol: cols.get('rating') ?? cols.get('value'),
        tsCol: cols.get('timestamp'),
        typeCol: cols.get('type'),
        defaultType: cols.has('rating') ? 'rating' : (options.defaultType ?? 'view'),
      };
      const p = places;
      p.user.line = p.item.line = p.value.line = p.timestamp.line = p.type.line = line;
      const user = parseIdField(fields[p.userCol], p.user);
      const item = parseIdField(fields[p.itemCol], p.item);
      const value = p.valueCol !== undefined ? parseValueField(fields[p.valueCol]!, p.value) : 1;
      const timestamp = p.tsCol !== undefined ? parseTimestampField(fields[p.tsCol]!, p.timestamp) : now;
      let type = p.defaultType;
      if (p.typeCol !== undefined) {
        // a file names a few types: each checked once
        const raw = fields[p.typeCol]!;
        type = typeNames.get(raw) ?? parseIdField(raw, p.type);
        if (typeNames.size < 256) typeNames.set(raw, type);
      }
      records.push({ user, item, type, value, timestamp });
      rows++;
      if (records.length >= batch) {
        yield records;
        records = [];
      }
    }
  if (records.length > 0) yield records;
  if (rows === 0) {
    throw new InputError(sawHeader ? 'no events after the header' : 'no events in the file', file);
  }
}

export async function importEventsFile(
  store: Store,
  file: string,
  options: ImportEventsOptions = {},
): Promise<ImportSummary> {
  const before = await store.counts();
  const typesBefore = store.eventTypeNames().length;
  let rows = 0;
  // about 30 bytes a row in a typical events file
  const expectedEvents = (statSync(file, { throwIfNoEntry: false })?.size ?? 0) / 30;
  await store.transaction(
    async () => {
      const batches = readEventBatches(file, options, IMPORT_BATCH);
      // the next batch is parsed while the store writes this one (a server database works meanwhile); its
      // fault, if any, is handled from the start and thrown when it is awaited
      const ahead = () => {
        const p = batches.next();
        p.catch(() => undefined);
        return p;
      };
      let next = ahead();
      try {
        for (let r = await next; !r.done; r = await next) {
          next = ahead();
          rows += await store.insertEvents(r.value);
          options.onProgress?.(rows);
        }
      } finally {
        // a failed write leaves the parse ahead: let it end, its fault unheard (the write's is thrown)
        await next.catch(() => undefined);
        await batches.return(undefined);
      }
    },
    { expectedEvents },
  );
  const after = await store.counts();
  return {
    file,
    rows,
    users: after.users - before.users,
    items: after.items - before.items,
    newTypes: store.eventTypeNames().slice(typesBefore),
  };
}

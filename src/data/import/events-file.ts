/**
 * `reco import events FILE`: interaction events from CSV/TSV. With a header, columns are found by name
 * (user, item, and optionally rating/value, timestamp/time, type; common aliases accepted); without one,
 * `columns` gives their order. Everything lands in one transaction, or nothing does.
 */
import { statSync } from 'node:fs';
import { InputError, UsageError } from '../../errors.js';
import type { KeyedEventBatch, Store } from '../../store/store.js';
import { checkReadable, detectDelimiter, isPlain, readDelimitedRuns, readFirstLine } from './delimited.js';
import { type FieldPlace, parseIdField, parseTimestampField, parseValueField } from './fields.js';
import { KeyedBatchBuilder } from './keyed-batch.js';
import {
  type EventLayout,
  type PlainEventsSource,
  plainDelimiter,
  plainEventBatches,
} from './plain-events.js';

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
const IMPORT_BATCH = 16_384;

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

/** The header mode of the options, checked against the column spec. */
function headerMode(options: ImportEventsOptions): HeaderMode {
  const spec = options.columns;
  const header = options.header ?? (spec?.kind === 'order' ? 'none' : 'names');
  if (header === 'names' && spec?.kind === 'order')
    throw new UsageError('--columns as an order needs --header skip or none (the order replaces the header)');
  if (header !== 'names' && spec?.kind !== 'order')
    throw new UsageError(`--header ${header} needs --columns as an order, e.g. user,item,rating,timestamp`);
  return header;
}

/** The columns a header line names (by the spec's mapping, or by the known names and aliases). */
function headerColumns(
  fields: string[],
  spec: ColumnSpec | undefined,
  file: string,
  line: number,
): Map<EventColumn, number> {
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
  return resolveColumns(names, file);
}

/** Where an event's fields are, for rows of `width` fields with columns `cols`. */
function layoutOf(
  cols: Map<EventColumn, number>,
  width: number,
  options: ImportEventsOptions,
  now: number,
): EventLayout {
  return {
    width,
    user: cols.get('user')!,
    item: cols.get('item')!,
    value: cols.get('rating') ?? cols.get('value'),
    valueName: cols.has('rating') ? 'rating' : 'value',
    timestamp: cols.get('timestamp'),
    type: cols.get('type'),
    defaultType: cols.has('rating') ? 'rating' : (options.defaultType ?? 'view'),
    now,
  };
}

/** Keys by id for the events read as records (the keyed batches' tables, ../../store/store.ts). */
class RecordKeys {
  private readonly keys = new Map<string, number>();
  /** The id's key; a new id is added to `fresh`, the ids the batch introduces. */
  key(id: string, fresh: string[]): number {
    let k = this.keys.get(id);
    if (k === undefined) {
      k = this.keys.size;
      this.keys.set(id, k);
      fresh.push(id);
    }
    return k;
  }
}

/**
 * The keyed batches of a file read as records (./delimited.ts: csv-parse for a file with quotes or carriage
 * returns), each field through ./fields.ts.
 */
async function* recordEventBatches(
  options: ImportEventsOptions,
  source: Omit<PlainEventsSource, 'delimiter'> & { delimiter: string },
): AsyncGenerator<KeyedEventBatch> {
  const { file, batch } = source;
  let { layout, skipFirst } = source;
  let rows = 0;
  let sawHeader = false;
  const users = new RecordKeys();
  const items = new RecordKeys();
  const types = new RecordKeys();
  const typeNames = new Map<string, string>();
  const out = new KeyedBatchBuilder(batch);
  const read = readDelimitedRuns(file, {
    delimiter: source.delimiter,
    ...(options.noQuotes ? { noQuotes: true } : {}),
  });
  for await (const run of read)
    for (const { line, fields } of run) {
      if (skipFirst) {
        skipFirst = false;
        sawHeader = true;
        continue;
      }
      if (!layout) {
        layout = source.header(fields, line);
        sawHeader = true;
        continue;
      }
      const L = layout;
      if (fields.length !== L.width)
        throw new InputError(`expected ${L.width} fields, found ${fields.length}`, file, line);
      const at = (column: string): FieldPlace => ({ file, line, column });
      const n = out.length;
      out.user[n] = users.key(parseIdField(fields[L.user], at('user')), out.newUsers);
      out.item[n] = items.key(parseIdField(fields[L.item], at('item')), out.newItems);
      let typeName = L.defaultType;
      if (L.type !== undefined) {
        // a file names a few types: each checked once
        const raw = fields[L.type]!;
        typeName = typeNames.get(raw) ?? parseIdField(raw, at('type'));
        if (typeNames.size < 256) typeNames.set(raw, typeName);
      }
      out.type[n] = types.key(typeName, out.newTypes);
      out.value[n] = L.value !== undefined ? parseValueField(fields[L.value]!, at(L.valueName)) : 1;
      out.timestamp[n] =
        L.timestamp !== undefined ? parseTimestampField(fields[L.timestamp]!, at('timestamp')) : L.now;
      out.length = n + 1;
      rows++;
      if (out.full) yield out.take();
    }
  if (out.length > 0) yield out.take();
  if (rows === 0)
    throw new InputError(sawHeader ? 'no events after the header' : 'no events in the file', file);
}

/**
 * The file's events, checked and parsed, in keyed batches of `batch` events (the importer's part that needs
 * no store: `reco import events` hands them to the store as they come; a benchmark can time it alone). A
 * plain file is read from its bytes (./plain-events.ts), any other through csv-parse (./delimited.ts), with
 * the same events and faults. Faults are InputErrors naming the file, line and column; a file without
 * events is one.
 */
export async function* readEventBatches(
  file: string,
  options: ImportEventsOptions = {},
  batch = IMPORT_BATCH,
): AsyncGenerator<KeyedEventBatch> {
  const spec = options.columns;
  const header = headerMode(options);
  const now = options.defaultTimestamp ?? Date.now();
  const layout =
    spec?.kind === 'order'
      ? layoutOf(resolveColumns(spec.columns, file), spec.columns.length, options, now)
      : undefined;
  const skipFirst = header === 'skip';
  checkReadable(file);
  const delimiter = options.delimiter ?? detectDelimiter(await readFirstLine(file));
  const source = {
    file,
    skipFirst,
    layout,
    header: (fields: string[], line: number) =>
      layoutOf(headerColumns(fields, spec, file, line), fields.length, options, now),
    batch,
  };
  const byte = plainDelimiter(delimiter);
  if (byte !== undefined && (await isPlain(file, options.noQuotes === true)))
    yield* plainEventBatches({ ...source, delimiter: byte });
  else yield* recordEventBatches(options, { ...source, delimiter });
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
      rows = await store.importEvents(
        readEventBatches(file, options),
        options.onProgress ? { onProgress: options.onProgress } : {},
      );
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

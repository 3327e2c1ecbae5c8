/**
 * The events of a plain file (no quotes, no carriage returns, a one-byte delimiter: ./delimited.ts
 * `isPlain`) read straight from its bytes into keyed batches (../../store/store.ts `KeyedEventBatch`): no
 * string per line or field, a string only for an id the file has not named before (./byte-keys.ts), and
 * numbers in their common forms read from the digits. Any other form of a field goes through the same field
 * parser as every importer (./fields.ts), so what is accepted, how it is read and each fault's message
 * (file, line, column) are the same as through the records of ./delimited.ts.
 */
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { InputError } from '../../errors.js';
import type { KeyedEventBatch } from '../../store/store.js';
import { MAX_EVENT_VALUE, MAX_TIME, MIN_TIME } from '../valid.js';
import { ByteKeys } from './byte-keys.js';
import { type FieldPlace, parseIdField, parseTimestampField, parseValueField } from './fields.js';
import { KeyedBatchBuilder } from './keyed-batch.js';

const NL = 0x0a;

/** Where an event's fields are in a row (column indices), and what fills the absent ones. */
export interface EventLayout {
  width: number;
  user: number;
  item: number;
  value: number | undefined;
  /** The value column's name in messages ('rating' or 'value'). */
  valueName: string;
  timestamp: number | undefined;
  type: number | undefined;
  /** The type of rows without a type column. */
  defaultType: string;
  /** The time of rows without a timestamp column. */
  now: number;
}

export interface PlainEventsSource {
  file: string;
  /** The delimiter's byte (ASCII). */
  delimiter: number;
  /** The first line is skipped. */
  skipFirst: boolean;
  /** The layout, or undefined when the first line is the header: `header` gives it from the line's fields. */
  layout: EventLayout | undefined;
  header(fields: string[], line: number): EventLayout;
  batch: number;
}

/** Whether a file of these options can be read as bytes (a one-byte delimiter). */
export function plainDelimiter(delimiter: string): number | undefined {
  const code = delimiter.length === 1 ? delimiter.charCodeAt(0) : -1;
  return code > 0 && code < 0x80 && code !== NL && code !== 0x22 && code !== 0x0d ? code : undefined;
}

/**
 * The number of a field of the form -?digits(.digits)? with at most 15 digits (exactly what Number gives:
 * both parts are exact doubles and one division rounds once), else NaN.
 */
function decimalOf(buf: Uint8Array, from: number, to: number, fraction: boolean): number {
  let j = from;
  const negative = j < to && buf[j] === 0x2d;
  if (negative) j++;
  let m = 0;
  let digits = 0;
  let scale = 1;
  let dot = false;
  for (; j < to; j++) {
    const c = buf[j]!;
    if (c >= 0x30 && c <= 0x39) {
      m = m * 10 + (c - 0x30);
      digits++;
      if (dot) scale *= 10;
    } else if (c === 0x2e && fraction && !dot && digits > 0) dot = true;
    else return Number.NaN;
  }
  if (digits === 0 || digits > 15 || (dot && scale === 1)) return Number.NaN;
  const v = dot ? m / scale : m;
  return negative ? -v : v;
}

/** The line of the first byte that is not UTF-8 in `buf` (whose first line is `line`). */
function badUtf8Line(buf: Buffer, line: number): number {
  let start = 0;
  for (let at = line; ; at++) {
    const nl = buf.indexOf(NL, start);
    const end = nl < 0 ? buf.length : nl;
    if (!isUtf8(buf.subarray(start, end)) || nl < 0) return at;
    start = nl + 1;
  }
}

/** The keyed batches of a plain file (see the module's comment); a file without events is an InputError. */
export async function* plainEventBatches(source: PlainEventsSource): AsyncGenerator<KeyedEventBatch> {
  const { file, batch } = source;
  const delimiter = source.delimiter;
  let layout = source.layout;
  let skipFirst = source.skipFirst;
  const users = new ByteKeys();
  const items = new ByteKeys();
  const types = new ByteKeys();
  const out = new KeyedBatchBuilder(batch);
  let rows = 0;
  let line = 0;
  let sawHeader = false;
  /** Start and end of each field of the line being read (the first `width` of them). */
  let starts = new Int32Array(Math.max(16, layout?.width ?? 0));
  let ends = new Int32Array(starts.length);
  const place = (column: string): FieldPlace => ({ file, line, column });
  const text = (buf: Buffer, from: number, to: number) => buf.toString('utf8', from, to);
  const keyOf = (
    keys: ByteKeys,
    fresh: string[],
    buf: Buffer,
    from: number,
    to: number,
    column: string,
  ): number => {
    const k = keys.find(buf, from, to);
    if (k >= 0) return k;
    fresh.push(parseIdField(text(buf, from, to), place(column)));
    return keys.add(buf, from, to);
  };
  /** Reads the line buf[from..to); whether it added an event. */
  const readLine = (buf: Buffer, from: number, to: number): boolean => {
    line++;
    const st = starts;
    const en = ends;
    const room = st.length;
    let fields = 1;
    let blank = true;
    st[0] = from;
    for (let j = from; j < to; j++) {
      const c = buf[j]!;
      if (c === delimiter) {
        if (fields < room) {
          en[fields - 1] = j;
          st[fields] = j + 1;
        }
        fields++;
      } else if (blank && c !== 0x20 && c !== 0x09 && c !== 0x0b && c !== 0x0c) blank = false;
    }
    if (fields <= room) en[fields - 1] = to;
    // a blank line is skipped (white space alone, as String.trim sees it)
    if (fields === 1 && (blank || text(buf, from, to).trim().length === 0)) return false;
    if (skipFirst || layout === undefined) {
      if (skipFirst) skipFirst = false;
      else layout = source.header(text(buf, from, to).split(String.fromCharCode(delimiter)), line);
      sawHeader = true;
      const width = layout?.width ?? 0;
      if (width > starts.length) {
        starts = new Int32Array(width);
        ends = new Int32Array(width);
      }
      return false;
    }
    const L = layout;
    if (fields !== L.width) throw new InputError(`expected ${L.width} fields, found ${fields}`, file, line);
    const n = out.length;
    if (L.type === undefined && types.size === 0) {
      out.newTypes.push(L.defaultType);
      types.add(Buffer.from(L.defaultType), 0, Buffer.byteLength(L.defaultType));
    }
    out.user[n] = keyOf(users, out.newUsers, buf, starts[L.user]!, ends[L.user]!, 'user');
    out.item[n] = keyOf(items, out.newItems, buf, starts[L.item]!, ends[L.item]!, 'item');
    out.type[n] =
      L.type === undefined ? 0 : keyOf(types, out.newTypes, buf, starts[L.type]!, ends[L.type]!, 'type');
    if (L.value === undefined) out.value[n] = 1;
    else {
      const s = starts[L.value]!;
      const e = ends[L.value]!;
      const v = decimalOf(buf, s, e, true);
      out.value[n] =
        Math.abs(v) <= MAX_EVENT_VALUE ? v : parseValueField(text(buf, s, e), place(L.valueName));
    }
    if (L.timestamp === undefined) out.timestamp[n] = L.now;
    else {
      const s = starts[L.timestamp]!;
      const e = ends[L.timestamp]!;
      const v = decimalOf(buf, s, e, false);
      // seconds below 1e11, else milliseconds (./fields.ts)
      const ms = Math.abs(v) < 1e11 ? v * 1000 : v;
      out.timestamp[n] =
        ms >= MIN_TIME && ms <= MAX_TIME ? ms : parseTimestampField(text(buf, s, e), place('timestamp'));
    }
    out.length = n + 1;
    rows++;
    return true;
  };

  // the unfinished last line's pieces, joined once a line end arrives (a long line is not copied per chunk)
  let held: Buffer[] = [];
  let first = true;
  for await (let chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    if (first) {
      first = false;
      // a byte order mark is dropped
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf)
        chunk = chunk.subarray(3);
    }
    if (chunk.lastIndexOf(NL) < 0) {
      held.push(chunk);
      continue;
    }
    const buf = held.length > 0 ? Buffer.concat([...held, chunk]) : chunk;
    const last = buf.lastIndexOf(NL);
    if (!isUtf8(buf.subarray(0, last + 1)))
      throw new InputError(
        'not valid UTF-8 text (convert the file to UTF-8)',
        file,
        badUtf8Line(buf, line + 1),
      );
    for (let from = 0; from <= last; ) {
      const nl = buf.indexOf(NL, from);
      if (readLine(buf, from, nl) && out.full) yield out.take();
      from = nl + 1;
    }
    held = last + 1 < buf.length ? [buf.subarray(last + 1)] : [];
  }
  const rest = Buffer.concat(held);
  if (rest.length > 0) {
    if (!isUtf8(rest))
      throw new InputError('not valid UTF-8 text (truncated character at end of file)', file, line + 1);
    readLine(rest, 0, rest.length);
  }
  if (out.length > 0) yield out.take();
  if (rows === 0)
    throw new InputError(sawHeader ? 'no events after the header' : 'no events in the file', file);
}

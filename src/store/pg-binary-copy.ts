/**
 * PostgreSQL's binary COPY format (`COPY ... (FORMAT binary)`), for the PostgreSQL store's bulk paths
 * (./pg-store.ts, ./pg-event-reads.ts): the events' rows written into one Buffer per chunk, and rows read
 * back straight into typed columns, with no text and no object per row. The format: an 11-byte signature,
 * a 32-bit flags field and a 32-bit header-extension length; then each row as a 16-bit field count and,
 * per field, a 32-bit byte length (-1 for NULL) and the value in network byte order; a field count of -1
 * ends the data.
 */
import { RecoError } from '../errors.js';
import type { EventColumns } from './store.js';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const HEADER_BYTES = SIGNATURE.length + 8;
const TWO_32 = 4294967296;

/** The header that begins binary COPY data (no flags, no extension). */
export function copyBinaryHeader(): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  SIGNATURE.copy(b, 0);
  return b;
}

/** The trailer that ends binary COPY data. */
export function copyBinaryTrailer(): Buffer {
  return Buffer.from([0xff, 0xff]);
}

/** A bigint column's value: a safe integer (negative ones included) as two 32-bit halves. */
function setInt8(view: DataView, at: number, v: number): void {
  const high = Math.floor(v / TWO_32);
  view.setInt32(at, high);
  view.setUint32(at + 4, v - high * TWO_32);
}

function getInt8(view: DataView, at: number): number {
  return view.getInt32(at) * TWO_32 + view.getUint32(at + 4);
}

/** Event columns to write: the store's columns, or an importer's batch (values as float64). */
export interface EventRowsSource {
  user: ArrayLike<number>;
  item: ArrayLike<number>;
  type: ArrayLike<number>;
  value: ArrayLike<number>;
  timestamp: ArrayLike<number>;
}

/** Bytes of one events row: 7 fields (id, user_idx, item_idx, type, value, ts, ingested_at). */
const EVENT_ROW_BYTES = 2 + 7 * 4 + 8 + 4 + 4 + 4 + 8 + 8 + 8;

/**
 * Rows `from` to `to` (exclusive) of `ev` as binary COPY rows of `events (id, user_idx, item_idx, type,
 * value, ts, ingested_at)`, event `from` at position `firstId` (times rounded to whole milliseconds).
 */
export function encodeEventRows(
  ev: EventRowsSource,
  from: number,
  to: number,
  firstId: number,
  ingestedAt: number,
): Buffer {
  const buf = Buffer.allocUnsafe((to - from) * EVENT_ROW_BYTES);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let at = 0;
  for (let e = from; e < to; e++) {
    view.setInt16(at, 7);
    view.setInt32(at + 2, 8);
    setInt8(view, at + 6, firstId + (e - from));
    view.setInt32(at + 14, 4);
    view.setInt32(at + 18, ev.user[e]!);
    view.setInt32(at + 22, 4);
    view.setInt32(at + 26, ev.item[e]!);
    view.setInt32(at + 30, 4);
    view.setInt32(at + 34, ev.type[e]!);
    view.setInt32(at + 38, 8);
    view.setFloat64(at + 42, ev.value[e]!);
    view.setInt32(at + 50, 8);
    setInt8(view, at + 54, Math.round(ev.timestamp[e]!));
    view.setInt32(at + 62, 8);
    setInt8(view, at + 66, ingestedAt);
    at += EVENT_ROW_BYTES;
  }
  return buf;
}

/**
 * Rows (idx, id, created_at) of new users or items (`COPY users|items (idx, id, created_at)`): id k at
 * index first + k, created at createdAt[k] (whole milliseconds), with header and trailer.
 */
export function encodeIdRows(first: number, ids: readonly string[], createdAt: ArrayLike<number>): Buffer {
  let bytes = HEADER_BYTES + 2;
  for (const id of ids) bytes += 2 + 4 + 4 + 4 + Buffer.byteLength(id) + 4 + 8;
  const buf = Buffer.allocUnsafe(bytes);
  copyBinaryHeader().copy(buf, 0);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let at = HEADER_BYTES;
  for (let k = 0; k < ids.length; k++) {
    view.setInt16(at, 3);
    view.setInt32(at + 2, 4);
    view.setInt32(at + 6, first + k);
    const len = buf.write(ids[k]!, at + 14, 'utf8');
    view.setInt32(at + 10, len);
    at += 14 + len;
    view.setInt32(at, 8);
    setInt8(view, at + 4, Math.round(createdAt[k]!));
    at += 12;
  }
  view.setInt16(at, -1);
  return buf;
}

/** Bytes of one row of an events read: user_idx, item_idx, type (integer), value (double), ts (bigint). */
const READ_ROW_BYTES = 2 + 5 * 4 + 4 + 4 + 4 + 8 + 8;

/**
 * Decodes the binary COPY of `SELECT user_idx, item_idx, type, value, ts` into `columns` as the chunks
 * arrive (a row may span two chunks), noting whether the times rise and the largest type code.
 */
export class EventRowsDecoder {
  /** Rows decoded so far. */
  length = 0;
  sorted = true;
  maxType = -1;
  private rest: Buffer | undefined;
  private header = false;
  private ended = false;

  constructor(private readonly columns: EventColumns) {}

  push(chunk: Buffer): void {
    let buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = undefined;
    if (!this.header) {
      if (buf.length < HEADER_BYTES) {
        this.rest = buf;
        return;
      }
      if (!buf.subarray(0, SIGNATURE.length).equals(SIGNATURE))
        throw new RecoError('binary COPY from PostgreSQL: bad signature');
      buf = buf.subarray(HEADER_BYTES + buf.readInt32BE(SIGNATURE.length + 4));
      this.header = true;
    }
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const c = this.columns;
    const capacity = c.user.length;
    let k = this.length;
    let at = 0;
    let last = k > 0 ? c.timestamp[k - 1]! : Number.NEGATIVE_INFINITY;
    while (at + 2 <= buf.length) {
      const fields = view.getInt16(at);
      if (fields === -1) {
        this.ended = true;
        at += 2;
        break;
      }
      if (at + READ_ROW_BYTES > buf.length) break;
      if (fields !== 5 || view.getInt32(at + 2) !== 4 || view.getInt32(at + 10) !== 4)
        throw new RecoError(
          `binary COPY from PostgreSQL: row ${k + 1} is not (user, item, type, value, time)`,
        );
      if (view.getInt32(at + 18) !== 4 || view.getInt32(at + 26) !== 8 || view.getInt32(at + 38) !== 8)
        throw new RecoError(
          `binary COPY from PostgreSQL: row ${k + 1} has a NULL or a field of another type`,
        );
      if (k >= capacity)
        throw new RecoError(`binary COPY from PostgreSQL: more than the ${capacity} rows counted`);
      c.user[k] = view.getInt32(at + 6);
      c.item[k] = view.getInt32(at + 14);
      const type = view.getInt32(at + 22);
      c.type[k] = type;
      if (type > this.maxType) this.maxType = type;
      c.value[k] = view.getFloat64(at + 30);
      const ts = getInt8(view, at + 42);
      c.timestamp[k] = ts;
      if (ts < last) this.sorted = false;
      last = ts;
      k++;
      at += READ_ROW_BYTES;
    }
    this.length = k;
    if (at < buf.length && !this.ended) this.rest = Buffer.from(buf.subarray(at));
  }

  /** Checks that the data ended with its trailer. */
  finish(): void {
    if (!this.ended) throw new RecoError('binary COPY from PostgreSQL: the data ended early');
  }
}

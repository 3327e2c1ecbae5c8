/**
 * `reco oracle --pairs FILE`: CSV rows `user,item[,timestamp]` in (an optional header line starting with
 * "user"), the same rows with the true probability `p` appended out. Users and items are the store's
 * external ids; timestamps are milliseconds since the epoch, seconds (values below 1e11), or ISO dates;
 * without one, the end of the simulated span is used.
 */
import { parse } from 'csv-parse/sync';
import { sigmoid } from '../core/math.js';
import { InputError } from '../errors.js';
import type { Store } from '../store/store.js';
import { interactionLogit } from './oracle.js';
import type { World } from './world.js';

/** Parses a timestamp field: ms, seconds (< 1e11), or an ISO date; undefined when empty. */
export function parseTime(field: string | undefined, file: string, line: number): number | undefined {
  if (field === undefined || field.trim() === '') return undefined;
  const s = field.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) {
    const x = Number(s);
    return Math.abs(x) < 1e11 ? x * 1000 : x;
  }
  const d = Date.parse(s);
  if (Number.isNaN(d)) throw new InputError(`timestamp "${s}" is neither a number nor a date`, file, line, 3);
  return d;
}

/** Answers every row of `text` (CSV) and returns the output CSV. */
export function answerPairs(store: Store, world: World, text: string, file: string): string {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
    }) as unknown as typeof records;
  } catch (err) {
    const e = err as Error & { lines?: number };
    throw new InputError(`not valid CSV: ${e.message}`, file, e.lines);
  }
  const out: string[] = ['user,item,timestamp,p'];
  const defaultTime = world.params.endMs;
  for (let r = 0; r < records.length; r++) {
    const { record, info } = records[r]!;
    const line = info.lines;
    if (r === 0 && record[0]?.toLowerCase() === 'user') continue;
    if (record.length < 2 || record.length > 3)
      throw new InputError(`expected user,item[,timestamp] (got ${record.length} fields)`, file, line);
    const [userId, itemId, timeField] = record as [string, string, string | undefined];
    const u = store.userIndex(userId);
    if (u === undefined) throw new InputError(`unknown user "${userId}"`, file, line, 1);
    const i = store.itemIndex(itemId);
    if (i === undefined) throw new InputError(`unknown item "${itemId}"`, file, line, 2);
    if (u >= world.params.users)
      throw new InputError(`user "${userId}" is not part of the simulated world`, file, line, 1);
    if (i >= world.params.items)
      throw new InputError(`item "${itemId}" is not part of the simulated world`, file, line, 2);
    const t = parseTime(timeField, file, line) ?? defaultTime;
    const p = sigmoid(interactionLogit(world, u, i, t));
    out.push(`${csvField(userId)},${csvField(itemId)},${timeField ?? t},${p.toPrecision(6)}`);
  }
  return `${out.join('\n')}\n`;
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

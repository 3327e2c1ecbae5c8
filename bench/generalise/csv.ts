/**
 * The bench's CSV files: events in a set's format (user and item always the first two fields), items
 * (`id,title,genres,release_date` or `id,title`), and reading back the (user, item) pairs of an events file
 * and the lists of `reco recommend --all` (`user,item,rank,score`).
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { EventLog, ItemRecord } from '../../src/types.js';
import type { EventFormat } from './datasets.js';

/** A CSV field, quoted when it holds a comma, a quote or a line break. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Writes lines in blocks (a million-row file never sits in memory as one string). */
function writeLines(file: string, count: number, line: (k: number) => string, header?: string): void {
  const fd = openSync(file, 'w');
  try {
    if (header !== undefined) writeSync(fd, `${header}\n`);
    const block: string[] = [];
    for (let k = 0; k < count; k++) {
      block.push(line(k));
      if (block.length === 50_000 || k === count - 1) {
        writeSync(fd, `${block.join('\n')}\n`);
        block.length = 0;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Every event of `log`, in log (time) order. */
export function writeEvents(file: string, log: EventLog, format: EventFormat): void {
  writeLines(
    file,
    log.length,
    (e) =>
      `${log.userIds[log.user[e]!]!},${log.itemIds[log.item[e]!]!},${format.rest(log.value[e]!, log.timestamp[e]!)}`,
    format.header,
  );
}

/** Items with every field, or titles only. */
export function writeItems(file: string, items: ItemRecord[], columns: 'all' | 'title'): void {
  writeLines(
    file,
    items.length,
    (k) => {
      const it = items[k]!;
      const title = csvField(it.title ?? '');
      if (columns === 'title') return `${csvField(it.id)},${title}`;
      const date = it.createdAt !== undefined ? new Date(it.createdAt).toISOString().slice(0, 10) : '';
      return `${csvField(it.id)},${title},${csvField((it.genres ?? []).join('|'))},${date}`;
    },
    columns === 'title' ? 'id,title' : 'id,title,genres,release_date',
  );
}

/** The lines of a CSV file after `skip` header lines (no field of these files is quoted). */
function dataLines(file: string, skip: number): string[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.slice(skip);
}

/** Each user's items in an events file written by writeEvents. */
export function readUserItems(file: string, hasHeader: boolean): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const line of dataLines(file, hasHeader ? 1 : 0)) {
    const a = line.indexOf(',');
    const b = line.indexOf(',', a + 1);
    const user = line.slice(0, a);
    const item = line.slice(a + 1, b < 0 ? undefined : b);
    let set = out.get(user);
    if (!set) out.set(user, (set = new Set()));
    set.add(item);
  }
  return out;
}

/** The lists of a `reco recommend --all` file (header user,item,rank,score), best first. */
export function readLists(file: string): Map<string, string[]> {
  const rows: { user: string; item: string; rank: number }[] = [];
  for (const line of dataLines(file, 1)) {
    const [user, item, rank] = line.split(',');
    rows.push({ user: user!, item: item!, rank: Number(rank) });
  }
  rows.sort((x, y) => x.rank - y.rank);
  const out = new Map<string, string[]>();
  for (const r of rows) {
    let list = out.get(r.user);
    if (!list) out.set(r.user, (list = []));
    list.push(r.item);
  }
  return out;
}

/**
 * `reco import movielens DIR`: the GroupLens MovieLens layouts, detected from the folder's files.
 * - 100K: u.data (tab: user item rating unix-seconds), u.item (latin-1, `|`: id, title, release date,
 *   video date, IMDb URL, then one 0/1 flag per genre of u.genre), u.user (`|`: id, age, gender, occupation, zip).
 * - ml-latest-small / ml-25m: ratings.csv, movies.csv (genres `|`-separated, the year in the title), tags.csv.
 * Users and items keep MovieLens' ids as strings; ratings become `rating` events. One transaction.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import type { EventRecord, ItemRecord, UserRecord } from '../../types.js';
import { readDelimited } from './delimited.js';
import { parseIdField, parseNumberField, parseTimestampField, parseValueField, splitList } from './fields.js';

export type MovieLensLayout = '100k' | 'csv';

export interface ImportMovieLensOptions {
  onProgress?: (ratings: number) => void;
}

export interface MovieLensSummary {
  layout: MovieLensLayout;
  users: number;
  items: number;
  ratings: number;
  tags: number;
}

export function detectMovieLensLayout(dir: string): MovieLensLayout {
  if (existsSync(join(dir, 'u.data'))) return '100k';
  if (existsSync(join(dir, 'ratings.csv'))) return 'csv';
  throw new InputError(
    'not a MovieLens folder: expected u.data (MovieLens 100K) or ratings.csv (ml-latest-small, ml-25m)',
    dir,
  );
}

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

/** "01-Jan-1995" -> ms since the epoch (UTC), undefined when empty. */
export function parseMovieLensDate(raw: string, file: string, line: number): number | undefined {
  const s = raw.trim();
  if (s.length === 0) return undefined;
  const m = /^(\d{1,2})-([A-Z][a-z]{2})-(\d{4})$/.exec(s);
  const month = m ? MONTHS[m[2]!] : undefined;
  if (!m || month === undefined)
    throw new InputError(`not a date: "${raw}" (expected like 01-Jan-1995)`, file, line, 3);
  return Date.UTC(Number(m[3]), month, Number(m[1]));
}

const BATCH = 10_000;

async function importRatings(
  store: Store,
  file: string,
  columns: { user: number; item: number; rating: number; timestamp: number; width: number; header: boolean },
  options: ImportMovieLensOptions,
  delimiter: string,
): Promise<number> {
  let batch: EventRecord[] = [];
  let n = 0;
  let first = true;
  for await (const { line, fields } of readDelimited(file, { delimiter, noQuotes: delimiter === '\t' })) {
    if (first && columns.header) {
      first = false;
      continue;
    }
    first = false;
    if (fields.length !== columns.width) {
      throw new InputError(`expected ${columns.width} fields, found ${fields.length}`, file, line);
    }
    const at = (column: string) => ({ file, line, column });
    batch.push({
      user: parseIdField(fields[columns.user], at('user')),
      item: parseIdField(fields[columns.item], at('item')),
      type: 'rating',
      value: parseValueField(fields[columns.rating]!, at('rating')),
      timestamp: parseTimestampField(fields[columns.timestamp]!, at('timestamp')),
    });
    if (batch.length >= BATCH) {
      n += await store.insertEvents(batch, { createItems: false });
      batch = [];
      options.onProgress?.(n);
    }
  }
  n += await store.insertEvents(batch, { createItems: false });
  options.onProgress?.(n);
  return n;
}

async function import100k(
  store: Store,
  dir: string,
  options: ImportMovieLensOptions,
): Promise<MovieLensSummary> {
  const genreFile = join(dir, 'u.genre');
  const genres: string[] = [];
  if (existsSync(genreFile)) {
    for await (const { line, fields } of readDelimited(genreFile, { delimiter: '|', noQuotes: true })) {
      if (fields.length < 2) throw new InputError('expected name|index', genreFile, line);
      genres[parseNumberField(fields[1]!, { file: genreFile, line, column: 2 })] = fields[0]!;
    }
  }
  const itemFile = join(dir, 'u.item');
  const items: ItemRecord[] = [];
  for await (const { line, fields } of readDelimited(itemFile, {
    delimiter: '|',
    encoding: 'latin1',
    noQuotes: true,
  })) {
    if (fields.length < 5)
      throw new InputError(`expected at least 5 fields, found ${fields.length}`, itemFile, line);
    const flags = fields.slice(5);
    const itemGenres: string[] = [];
    flags.forEach((f, g) => {
      if (f.trim() === '1') itemGenres.push(genres[g] ?? `genre${g}`);
    });
    const item: ItemRecord = {
      id: parseIdField(fields[0], { file: itemFile, line, column: 1 }),
      title: fields[1]!.trim(),
      genres: itemGenres.filter((g) => g !== 'unknown'),
      attributes: fields[4]!.trim() ? { imdb_url: fields[4]!.trim() } : {},
    };
    const released = parseMovieLensDate(fields[2]!, itemFile, line);
    if (released !== undefined) item.createdAt = released;
    items.push(item);
  }
  await store.upsertItems(items);

  const userFile = join(dir, 'u.user');
  if (existsSync(userFile)) {
    const users: UserRecord[] = [];
    for await (const { line, fields } of readDelimited(userFile, { delimiter: '|', noQuotes: true })) {
      if (fields.length !== 5)
        throw new InputError(`expected 5 fields, found ${fields.length}`, userFile, line);
      users.push({
        id: parseIdField(fields[0], { file: userFile, line, column: 1 }),
        attributes: {
          age: parseNumberField(fields[1]!, { file: userFile, line, column: 2 }),
          gender: fields[2],
          occupation: fields[3],
          zip: fields[4],
        },
        createdAt: 0,
      });
    }
    await store.upsertUsers(users);
  }
  const ratings = await importRatings(
    store,
    join(dir, 'u.data'),
    { user: 0, item: 1, rating: 2, timestamp: 3, width: 4, header: false },
    options,
    '\t',
  );
  const c = await store.counts();
  return { layout: '100k', users: c.users, items: c.items, ratings, tags: 0 };
}

async function importCsvLayout(
  store: Store,
  dir: string,
  options: ImportMovieLensOptions,
): Promise<MovieLensSummary> {
  const movieFile = join(dir, 'movies.csv');
  if (!existsSync(movieFile)) throw new InputError('missing movies.csv beside ratings.csv', dir);
  const items: ItemRecord[] = [];
  let header = true;
  for await (const { line, fields } of readDelimited(movieFile, { delimiter: ',' })) {
    if (header) {
      header = false;
      continue;
    }
    if (fields.length !== 3)
      throw new InputError(`expected 3 fields, found ${fields.length}`, movieFile, line);
    const title = fields[1]!.trim();
    const year = /\((\d{4})\)\s*$/.exec(title);
    const item: ItemRecord = {
      id: parseIdField(fields[0], { file: movieFile, line, column: 'movieId' }),
      title,
      genres: splitList(fields[2], /\|/).filter((g) => g !== '(no genres listed)'),
    };
    if (year) {
      item.createdAt = Date.UTC(Number(year[1]), 0, 1);
      item.attributes = { year: Number(year[1]) };
    }
    items.push(item);
  }
  // tags.csv: free-text tags, gathered onto their items
  const tagFile = join(dir, 'tags.csv');
  let tagCount = 0;
  if (existsSync(tagFile)) {
    const byItem = new Map<string, Set<string>>();
    let first = true;
    for await (const { line, fields } of readDelimited(tagFile, { delimiter: ',' })) {
      if (first) {
        first = false;
        continue;
      }
      if (fields.length !== 4)
        throw new InputError(`expected 4 fields, found ${fields.length}`, tagFile, line);
      const tag = fields[2]!.trim().toLowerCase();
      if (!tag) continue;
      let set = byItem.get(fields[1]!);
      if (!set) byItem.set(fields[1]!, (set = new Set()));
      set.add(tag);
      tagCount++;
    }
    for (const item of items) {
      const tags = byItem.get(item.id);
      if (tags) item.tags = [...tags];
    }
  }
  await store.upsertItems(items);
  const ratingFile = join(dir, 'ratings.csv');
  const ratings = await importRatings(
    store,
    ratingFile,
    { user: 0, item: 1, rating: 2, timestamp: 3, width: 4, header: true },
    options,
    ',',
  );
  const c = await store.counts();
  return { layout: 'csv', users: c.users, items: c.items, ratings, tags: tagCount };
}

export async function importMovieLens(
  store: Store,
  dir: string,
  options: ImportMovieLensOptions = {},
): Promise<MovieLensSummary> {
  const layout = detectMovieLensLayout(dir);
  const ratingsFile = join(dir, layout === '100k' ? 'u.data' : 'ratings.csv');
  // about 25 bytes a rating in u.data and ratings.csv
  const expectedEvents = (statSync(ratingsFile, { throwIfNoEntry: false })?.size ?? 0) / 25;
  return store.transaction(
    () => (layout === '100k' ? import100k(store, dir, options) : importCsvLayout(store, dir, options)),
    { expectedEvents },
  );
}

/**
 * `reco import items FILE`: item metadata from CSV/TSV with a header. Recognised columns: id (or item,
 * item_id, movieId), title (or name), genres (`|` or `;` separated), tags, and a release/creation time;
 * any other column becomes an attribute (numbers stay numbers). A repeated id is an error naming both lines.
 */
import { InputError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import type { ItemRecord } from '../../types.js';
import { readDelimited } from './delimited.js';
import { parseGenresField, parseIdField, parseTimestampField, splitList } from './fields.js';

type ItemColumn = 'id' | 'title' | 'genres' | 'tags' | 'created_at';

const ALIASES: Record<string, ItemColumn> = {
  id: 'id',
  item: 'id',
  item_id: 'id',
  itemid: 'id',
  movieid: 'id',
  movie_id: 'id',
  title: 'title',
  name: 'title',
  genres: 'genres',
  genre: 'genres',
  tags: 'tags',
  tag: 'tags',
  created_at: 'created_at',
  release_date: 'created_at',
  released: 'created_at',
  timestamp: 'created_at',
};

export interface ImportItemsOptions {
  delimiter?: string;
  /** Fields are never quoted: a `"` is an ordinary character. */
  noQuotes?: boolean;
  onProgress?: (rows: number) => void;
}

export async function importItemsFile(
  store: Store,
  file: string,
  options: ImportItemsOptions = {},
): Promise<{ file: string; rows: number }> {
  let header: string[] | undefined;
  let roles: (ItemColumn | undefined)[] = [];
  const seen = new Map<string, number>();
  const items: ItemRecord[] = [];
  for await (const { line, fields } of readDelimited(file, {
    ...(options.delimiter !== undefined ? { delimiter: options.delimiter } : {}),
    ...(options.noQuotes ? { noQuotes: true } : {}),
  })) {
    if (!header) {
      header = fields.map((f) => f.trim());
      roles = header.map((h) => ALIASES[h.toLowerCase()]);
      if (!roles.includes('id')) {
        throw new InputError(
          `no id column in the header (${header.join(', ')}); name one "id" or "item"`,
          file,
          line,
        );
      }
      continue;
    }
    if (fields.length !== header.length) {
      throw new InputError(`expected ${header.length} fields, found ${fields.length}`, file, line);
    }
    const item: ItemRecord = { id: '' };
    // column names come from the file: a null-prototype object, so that no name reaches Object.prototype
    const attributes: Record<string, unknown> = Object.create(null);
    for (let c = 0; c < fields.length; c++) {
      const raw = fields[c]!;
      const at = { file, line, column: header[c]! };
      switch (roles[c]) {
        case 'id':
          item.id = parseIdField(raw, at);
          break;
        case 'title':
          if (raw.trim()) item.title = raw.trim();
          break;
        case 'genres':
          item.genres = parseGenresField(raw, at);
          break;
        case 'tags':
          item.tags = splitList(raw);
          break;
        case 'created_at':
          if (raw.trim()) item.createdAt = parseTimestampField(raw, at);
          break;
        default: {
          const s = raw.trim();
          if (s.length === 0) break;
          const n = Number(s);
          attributes[header[c]!] = Number.isFinite(n) ? n : s;
        }
      }
    }
    const first = seen.get(item.id);
    if (first !== undefined)
      throw new InputError(`duplicate item id "${item.id}" (first on line ${first})`, file, line);
    seen.set(item.id, line);
    if (Object.keys(attributes).length > 0) item.attributes = attributes;
    items.push(item);
    if (items.length % 10_000 === 0) options.onProgress?.(items.length);
  }
  if (!header) throw new InputError('the file is empty', file);
  if (items.length === 0) throw new InputError('no items after the header', file);
  await store.upsertItems(items);
  options.onProgress?.(items.length);
  return { file, rows: items.length };
}

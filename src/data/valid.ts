/**
 * What reco accepts as data, defined once: the API, the importers and the store check ids, values,
 * timestamps, genres and attributes with these functions, so that whatever one part accepts, every other
 * part can hold, train on, export and import back identically.
 *
 * Each check returns undefined when the value is valid, else the problem in a few words (the caller says
 * where: a request field, a file's line and column, a parameter).
 */

/** Longest user, item or event-type id, in UTF-16 code units. */
export const MAX_ID_LENGTH = 256;
/** Largest magnitude of an event value (weights are float32 and summed per user and item). */
export const MAX_EVENT_VALUE = 1e9;
/** Earliest and latest accepted time (ms since the epoch): years 1800 to 2199, ISO 8601 both ways. */
export const MIN_TIME = Date.UTC(1800, 0, 1);
export const MAX_TIME = Date.UTC(2200, 0, 1) - 1;
/** Genres an item may have, and the longest genre name. */
export const MAX_GENRES_PER_ITEM = 64;
export const MAX_GENRE_LENGTH = 100;
/** Tags an item may have (each a name like a genre). */
export const MAX_TAGS_PER_ITEM = 256;
/** Longest item title. */
export const MAX_TITLE_LENGTH = 1000;
/** Distinct genres in a store: genre lists and error messages stay bounded. */
export const MAX_GENRES = 1000;
/** Deepest nesting of an attributes object (an object or array inside another counts one level). */
export const MAX_ATTRIBUTE_DEPTH = 8;
/** Largest attributes object, as JSON text in bytes. */
export const MAX_ATTRIBUTES_BYTES = 64 * 1024;

// C0 and C1 control characters and DEL; line and paragraph separators; unpaired surrogates
const CONTROL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this finds
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A printable name (id, genre, type): non-empty, no control characters, no white space at either end. */
function nameProblem(s: unknown, max: number): string | undefined {
  if (typeof s !== 'string') return `must be a string, got ${describe(s)}`;
  if (s.length === 0) return 'must not be empty';
  if (s.length > max) return `must be at most ${max} characters, got ${s.length}`;
  if (CONTROL.test(s)) return 'must not contain control characters';
  if (s.trim() !== s) return 'must not begin or end with white space';
  return undefined;
}

/** A user, item or event-type id. */
export function idProblem(s: unknown): string | undefined {
  return nameProblem(s, MAX_ID_LENGTH);
}

/** A genre name. */
export function genreProblem(s: unknown): string | undefined {
  return nameProblem(s, MAX_GENRE_LENGTH);
}

/** An item's title: any text without control characters, at most MAX_TITLE_LENGTH long. */
export function titleProblem(s: unknown): string | undefined {
  if (typeof s !== 'string') return `must be a string, got ${describe(s)}`;
  if (s.length > MAX_TITLE_LENGTH) return `must be at most ${MAX_TITLE_LENGTH} characters, got ${s.length}`;
  if (CONTROL.test(s)) return 'must not contain control characters';
  return undefined;
}

/** An event's value: a finite number within +-MAX_EVENT_VALUE. */
export function valueProblem(v: unknown): string | undefined {
  if (typeof v !== 'number') return `must be a number, got ${describe(v)}`;
  if (!Number.isFinite(v)) return `must be a finite number, got ${v}`;
  if (Math.abs(v) > MAX_EVENT_VALUE)
    return `must be between -${MAX_EVENT_VALUE} and ${MAX_EVENT_VALUE}, got ${v}`;
  return undefined;
}

/** A time in whole milliseconds since the epoch, within MIN_TIME..MAX_TIME. */
export function timeProblem(ms: unknown): string | undefined {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return `must be a time, got ${describe(ms)}`;
  if (!Number.isInteger(ms)) return `must be whole milliseconds, got ${ms}`;
  if (ms < MIN_TIME || ms > MAX_TIME)
    return `must be between ${new Date(MIN_TIME).toISOString()} and ${new Date(MAX_TIME).toISOString()}, got ${ms}`;
  return undefined;
}

/** A list of names (an item's genres or tags): at most `max`, each a valid genre name. */
function namesProblem(names: unknown, max: number): string | undefined {
  if (!Array.isArray(names)) return `must be a list of names, got ${describe(names)}`;
  if (names.length > max) return `must hold at most ${max} names, got ${names.length}`;
  for (let k = 0; k < names.length; k++) {
    const p = genreProblem(names[k]);
    if (p) return `[${k}] ${p}`;
  }
  return undefined;
}

/** An item's genre list. */
export function genresProblem(genres: unknown): string | undefined {
  return namesProblem(genres, MAX_GENRES_PER_ITEM);
}

/** An item's tag list. */
export function tagsProblem(tags: unknown): string | undefined {
  return namesProblem(tags, MAX_TAGS_PER_ITEM);
}

/**
 * An attributes object: a plain JSON object, nested at most MAX_ATTRIBUTE_DEPTH deep, at most
 * MAX_ATTRIBUTES_BYTES as JSON, numbers finite.
 */
export function attributesProblem(a: unknown): string | undefined {
  if (typeof a !== 'object' || a === null || Array.isArray(a)) return `must be an object, got ${describe(a)}`;
  const p = jsonProblem(a, 1);
  if (p) return p;
  const bytes = Buffer.byteLength(JSON.stringify(a));
  if (bytes > MAX_ATTRIBUTES_BYTES)
    return `must be at most ${MAX_ATTRIBUTES_BYTES} bytes as JSON, got ${bytes}`;
  return undefined;
}

function jsonProblem(v: unknown, depth: number): string | undefined {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : `must hold finite numbers, got ${v}`;
  if (typeof v !== 'object') return `must hold JSON values only, got ${typeof v}`;
  if (depth > MAX_ATTRIBUTE_DEPTH) return `must be nested at most ${MAX_ATTRIBUTE_DEPTH} levels deep`;
  const children = Array.isArray(v) ? v : Object.values(v);
  for (const c of children) {
    const p = jsonProblem(c, depth + 1);
    if (p) return p;
  }
  return undefined;
}

/** A short description of a value of the wrong kind, for messages (never the whole value). */
function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === 'object') return 'an object';
  return String(v);
}

/** A fault of a record: the field at fault and the problem. */
export type FieldProblem = readonly [field: string, problem: string];

function first(checks: [string, () => string | undefined][]): FieldProblem | undefined {
  for (const [field, check] of checks) {
    const p = check();
    if (p !== undefined) return [field, p];
  }
  return undefined;
}

/** An item record's first fault (id, title, genres, tags, attributes, createdAt), if any. */
export function itemProblem(it: {
  id: unknown;
  title?: unknown;
  genres?: unknown;
  tags?: unknown;
  attributes?: unknown;
  createdAt?: unknown;
}): FieldProblem | undefined {
  return first([
    ['id', () => idProblem(it.id)],
    ['title', () => (it.title === undefined ? undefined : titleProblem(it.title))],
    ['genres', () => (it.genres === undefined ? undefined : genresProblem(it.genres))],
    ['tags', () => (it.tags === undefined ? undefined : tagsProblem(it.tags))],
    ['attributes', () => (it.attributes === undefined ? undefined : attributesProblem(it.attributes))],
    ['createdAt', () => (it.createdAt === undefined ? undefined : timeProblem(it.createdAt))],
  ]);
}

/** A user record's first fault (id, attributes, createdAt), if any. */
export function userProblem(u: {
  id: unknown;
  attributes?: unknown;
  createdAt?: unknown;
}): FieldProblem | undefined {
  return first([
    ['id', () => idProblem(u.id)],
    ['attributes', () => (u.attributes === undefined ? undefined : attributesProblem(u.attributes))],
    ['createdAt', () => (u.createdAt === undefined ? undefined : timeProblem(u.createdAt))],
  ]);
}

/**
 * Field parsers shared by the importers: each returns the value or throws an InputError naming the file,
 * line and column.
 */
import { InputError } from '../../errors.js';
import { genresProblem, idProblem, timeProblem, valueProblem } from '../valid.js';

export interface FieldPlace {
  file: string;
  line: number;
  column: string | number;
}

function fail(message: string, at: FieldPlace): never {
  throw new InputError(message, at.file, at.line, at.column);
}

export function parseNumberField(raw: string, at: FieldPlace): number {
  const s = raw.trim();
  const v = s.length === 0 ? Number.NaN : Number(s);
  if (!Number.isFinite(v)) fail(`not a number: "${raw}"`, at);
  return v;
}

/** An event value: a number within the range ../valid.ts accepts. */
export function parseValueField(raw: string, at: FieldPlace): number {
  const v = parseNumberField(raw, at);
  const problem = valueProblem(v);
  if (problem) fail(`the value ${problem}`, at);
  return v;
}

/**
 * Timestamps: seconds since the epoch (below 1e11), milliseconds (from 1e11 up), or an ISO 8601 date.
 * Returns milliseconds since the epoch.
 */
export function parseTimestampField(raw: string, at: FieldPlace): number {
  const s = raw.trim();
  let ms: number;
  if (/^-?\d+(\.\d+)?$/.test(s)) {
    const v = Number(s);
    ms = Math.abs(v) < 1e11 ? Math.round(v * 1000) : Math.round(v);
  } else {
    ms = s.length === 0 ? Number.NaN : Date.parse(s);
    if (Number.isNaN(ms))
      fail(
        `not a timestamp: "${raw}" (expected seconds or milliseconds since 1970, or an ISO 8601 date)`,
        at,
      );
  }
  const problem = timeProblem(ms);
  if (problem) fail(`the time ${problem}`, at);
  return ms;
}

export function requireField(raw: string | undefined, at: FieldPlace): string {
  const s = raw?.trim() ?? '';
  if (s.length === 0) fail('empty value', at);
  return s;
}

/** A user, item or event-type id (white space around it trimmed), valid as ../valid.ts says. */
export function parseIdField(raw: string | undefined, at: FieldPlace): string {
  const s = requireField(raw, at);
  const problem = idProblem(s);
  if (problem) fail(`the id ${problem}`, at);
  return s;
}

/** A genre list field ("Action|Comedy"), each genre valid as ../valid.ts says. */
export function parseGenresField(raw: string | undefined, at: FieldPlace): string[] {
  const genres = splitList(raw);
  const problem = genresProblem(genres);
  if (problem) fail(`the genres ${problem}`, at);
  return genres;
}

/** Splits a list field ("Action|Comedy", "a;b") into trimmed non-empty parts. */
export function splitList(raw: string | undefined, separators = /[|;]/): string[] {
  if (!raw) return [];
  return raw
    .split(separators)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Field parsers shared by the importers: each returns the value or throws an InputError naming the file,
 * line and column.
 */
import { InputError } from '../../errors.js';

export interface FieldPlace {
  file: string;
  line: number;
  column: string | number;
}

export function parseNumberField(raw: string, at: FieldPlace): number {
  const s = raw.trim();
  const v = s.length === 0 ? Number.NaN : Number(s);
  if (!Number.isFinite(v)) throw new InputError(`not a number: "${raw}"`, at.file, at.line, at.column);
  return v;
}

/**
 * Timestamps: seconds since the epoch (below 1e11), milliseconds (from 1e11 up), or an ISO 8601 date.
 * Returns milliseconds since the epoch.
 */
export function parseTimestampField(raw: string, at: FieldPlace): number {
  const s = raw.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) {
    const v = Number(s);
    return Math.abs(v) < 1e11 ? Math.round(v * 1000) : Math.round(v);
  }
  const ms = Date.parse(s);
  if (s.length === 0 || Number.isNaN(ms)) {
    throw new InputError(
      `not a timestamp: "${raw}" (expected seconds or milliseconds since 1970, or an ISO 8601 date)`,
      at.file,
      at.line,
      at.column,
    );
  }
  return ms;
}

export function requireField(raw: string | undefined, at: FieldPlace): string {
  const s = raw?.trim() ?? '';
  if (s.length === 0) throw new InputError('empty value', at.file, at.line, at.column);
  return s;
}

/** Splits a list field ("Action|Comedy", "a;b") into trimmed non-empty parts. */
export function splitList(raw: string | undefined, separators = /[|;]/): string[] {
  if (!raw) return [];
  return raw
    .split(separators)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

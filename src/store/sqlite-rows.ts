/**
 * Users, items and event types as the SQLite store (./sqlite-store.ts) writes and reads them: records
 * checked before they become rows (../data/valid.ts), rows read back as records.
 */
import { checkRule, type EventTypeRule, type ValueRule } from '../data/interactions.js';
import { itemProblem, userProblem } from '../data/valid.js';
import { InputError } from '../errors.js';
import type { ItemRecord, UserRecord } from '../types.js';

export interface ItemRow {
  idx: number;
  id: string;
  title: string | null;
  genres: string | null;
  tags: string | null;
  attributes: string | null;
  created_at: number;
}

export interface UserRow {
  idx: number;
  id: string;
  attributes: string | null;
  created_at: number;
}

export interface EventTypeRow {
  code: number;
  name: string;
  weight: number | null;
  value_rule: string | null;
  center: number | null;
}

/** The rule given to an event type (reco types set), or undefined for its built-in one. */
export function ruleFromRow(t: EventTypeRow): EventTypeRule | undefined {
  if (t.weight === null || t.value_rule === null) return undefined;
  return checkRule(t.name, {
    weight: t.weight,
    value: t.value_rule as ValueRule,
    ...(t.center !== null ? { center: t.center } : {}),
  });
}

const parseJson = <T>(s: string | null): T | undefined => (s === null ? undefined : (JSON.parse(s) as T));

export function itemFromRow(r: ItemRow): ItemRecord {
  const item: ItemRecord = { id: r.id, createdAt: r.created_at };
  if (r.title !== null) item.title = r.title;
  const genres = parseJson<string[]>(r.genres);
  if (genres) item.genres = genres;
  const tags = parseJson<string[]>(r.tags);
  if (tags) item.tags = tags;
  const attributes = parseJson<Record<string, unknown>>(r.attributes);
  if (attributes) item.attributes = attributes;
  return item;
}

export function userFromRow(r: UserRow): UserRecord {
  const user: UserRecord = { id: r.id, createdAt: r.created_at };
  const attributes = parseJson<Record<string, unknown>>(r.attributes);
  if (attributes) user.attributes = attributes;
  return user;
}

/** Throws an InputError "<what> <problem>" when there is a problem (../data/valid.ts). */
export function refuse(what: string, problem: string | undefined): void {
  if (problem !== undefined) throw new InputError(`${what} ${problem}`);
}

/** An item record as ../data/valid.ts accepts it. */
export function checkItem(it: ItemRecord): void {
  const fault = itemProblem(it);
  if (fault)
    throw new InputError(`item ${JSON.stringify(String(it.id).slice(0, 80))}: ${fault[0]} ${fault[1]}`);
}

/** A user record as ../data/valid.ts accepts it. */
export function checkUser(u: UserRecord): void {
  const fault = userProblem(u);
  if (fault)
    throw new InputError(`user ${JSON.stringify(String(u.id).slice(0, 80))}: ${fault[0]} ${fault[1]}`);
}

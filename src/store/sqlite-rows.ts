/** Rows of the users and items tables as read back, and the records they make (./sqlite-store.ts). */
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

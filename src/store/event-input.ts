/**
 * An event given by external ids, checked and resolved to dense indices the same way by every store
 * (./sqlite-store.ts, ./pg-store.ts): ids are checked when they first arrive (every stored one is valid),
 * unknown users and items are created unless creation is off, and faults name the event and its field.
 */
import { idProblem, timeProblem, valueProblem } from '../data/valid.js';
import { InputError, RecoError } from '../errors.js';
import type { EventRecord } from '../types.js';
import { refuse } from './sqlite-rows.js';
import type { EventColumns, InsertEventsOptions } from './store.js';

export type EventCreation = Required<
  Pick<InsertEventsOptions, 'createUsers' | 'createItems' | 'createTypes'>
>;

export function eventCreation(options: InsertEventsOptions): EventCreation {
  return {
    createUsers: options.createUsers ?? true,
    createItems: options.createItems ?? true,
    createTypes: options.createTypes ?? true,
  };
}

/** What resolving needs of a store: its known indices, and how it makes a new user or item. */
export interface EventIds {
  userIndex(id: string): number | undefined;
  itemIndex(id: string): number | undefined;
  typeCode(name: string): number | undefined;
  newUser(id: string, createdAt: number): number;
  newItem(id: string, createdAt: number): number;
}

/** Event `n` (0-based) checked, with its user's and item's dense indices. */
export function resolveEvent(
  e: EventRecord,
  n: number,
  creation: EventCreation,
  ids: EventIds,
): [number, number] {
  // the message is made only for a fault (a bulk load resolves millions of events)
  const check = (field: string, problem: string | undefined) => {
    if (problem !== undefined) refuse(`event ${n + 1}: ${field}`, problem);
  };
  let u = ids.userIndex(e.user);
  if (u === undefined) {
    if (!creation.createUsers) throw new InputError(`unknown user "${e.user}"`);
    check('user', idProblem(e.user));
    check('timestamp', timeProblem(e.timestamp));
    u = ids.newUser(e.user, e.timestamp);
  }
  let i = ids.itemIndex(e.item);
  if (i === undefined) {
    if (!creation.createItems) throw new InputError(`unknown item "${e.item}"`);
    check('item', idProblem(e.item));
    check('timestamp', timeProblem(e.timestamp));
    i = ids.newItem(e.item, e.timestamp);
  }
  if (e.value !== undefined) check('value', valueProblem(e.value));
  check('timestamp', timeProblem(e.timestamp));
  if (e.request !== undefined) check('request', idProblem(e.request));
  if (!creation.createTypes && ids.typeCode(e.type) === undefined)
    throw new InputError(`event ${n + 1}: unknown event type "${e.type}" (declare it first: reco types set)`);
  return [u, i];
}

/** Events given by dense index refer only to users and items that exist (a RecoError naming the event). */
export function checkEventIndices(
  ev: Pick<EventColumns, 'length'> & { user: ArrayLike<number>; item: ArrayLike<number> },
  users: number,
  items: number,
): void {
  for (let e = 0; e < ev.length; e++) {
    const u = ev.user[e]!;
    const i = ev.item[e]!;
    if (u < 0 || u >= users) throw new RecoError(`event ${e}: user index ${u} out of range 0..${users - 1}`);
    if (i < 0 || i >= items) throw new RecoError(`event ${e}: item index ${i} out of range 0..${items - 1}`);
  }
}

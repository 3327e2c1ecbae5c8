/**
 * An import's events by key (store.ts `KeyedEventBatch`) turned into the store's dense indices, the same
 * way by every store (./sqlite-store.ts, ./pg-store.ts): each key's id is checked and looked up once, when
 * the batch that introduces it arrives; a user or item the store does not know is created at its first
 * event (created at that event's time), and an event type at its first use. Values and times are checked
 * per event; a fault names the event (counted from 1 over the whole import) and its field.
 */
import { idProblem, MAX_EVENT_VALUE, MAX_TIME, MIN_TIME, timeProblem, valueProblem } from '../data/valid.js';
import { InputError, RecoError } from '../errors.js';
import type { EventIds } from './event-input.js';
import { refuse } from './sqlite-rows.js';
import type { KeyedEventBatch } from './store.js';

/** The code a new event type gets after `declared` types (256 at most: an InputError beyond). */
export function nextTypeCode(declared: number, name: string): number {
  if (declared > 255)
    throw new InputError(
      `too many event types (256 at most): cannot declare "${name}" (reco types lists them)`,
    );
  return declared;
}

/** What resolving needs of a store: ./event-input.ts's lookups and makers, and how it declares a type. */
export interface KeyTargets extends EventIds {
  /** Declares the event type (known by typeCode from then on); its code. */
  newType(name: string): number;
}

/** Dense indices by key of one kind (users, items or types); -1 until the key's first event. */
class KeyColumn {
  /** By key: the dense index, -1 when not made yet (or not introduced). */
  dense = new Int32Array(1024).fill(-1);
  readonly names: string[] = [];

  /** Adds the keys a batch introduces, each checked and looked up. */
  add(
    names: readonly string[],
    field: string,
    firstEvent: number,
    lookup: (id: string) => number | undefined,
  ) {
    for (const name of names) {
      refuse(`event ${firstEvent}: ${field}`, idProblem(name));
      const k = this.names.length;
      if (k === this.dense.length) {
        const bigger = new Int32Array(k * 2).fill(-1);
        bigger.set(this.dense);
        this.dense = bigger;
      }
      this.dense[k] = lookup(name) ?? -1;
      this.names.push(name);
    }
  }

  /**
   * The dense index of a key whose entry is still -1 (or out of range): made by `make` from its id (which
   * first looks the id up: two keys may name one id).
   */
  make(key: number, event: number, field: string, make: (id: string) => number): number {
    const name = key >= 0 ? this.names[key] : undefined;
    if (name === undefined) throw new RecoError(`event ${event}: ${field} key ${key} was never introduced`);
    const made = make(name);
    this.dense[key] = made;
    return made;
  }
}

/** Dense columns of one resolved batch (the store writes them). */
export type ResolvedEvents = Omit<KeyedEventBatch, 'newUsers' | 'newItems' | 'newTypes'>;

export class EventKeys {
  private readonly users = new KeyColumn();
  private readonly items = new KeyColumn();
  private readonly types = new KeyColumn();
  /** Events resolved so far (for the faults' event numbers). */
  private done = 0;

  constructor(private readonly store: KeyTargets) {}

  /** The batch with dense indices (the batch's own value and time columns are kept). */
  resolve(batch: KeyedEventBatch): ResolvedEvents {
    const s = this.store;
    const first = this.done + 1;
    this.users.add(batch.newUsers, 'user', first, (id) => s.userIndex(id));
    this.items.add(batch.newItems, 'item', first, (id) => s.itemIndex(id));
    this.types.add(batch.newTypes, 'type', first, (name) => s.typeCode(name));
    const n = batch.length;
    const user = new Int32Array(n);
    const item = new Int32Array(n);
    const type = new Int32Array(n);
    const { value, timestamp } = batch;
    const users = this.users;
    const items = this.items;
    const types = this.types;
    for (let e = 0; e < n; e++) {
      const v = value[e]!;
      const t = timestamp[e]!;
      // the message is made only for a fault
      if (!(Math.abs(v) <= MAX_EVENT_VALUE)) refuse(`event ${first + e}: value`, valueProblem(v));
      if (!(Number.isInteger(t) && t >= MIN_TIME && t <= MAX_TIME))
        refuse(`event ${first + e}: timestamp`, timeProblem(t));
      const uk = batch.user[e]!;
      const ik = batch.item[e]!;
      const tk = batch.type[e]!;
      let u = users.dense[uk];
      if (u === undefined || u < 0)
        u = users.make(uk, first + e, 'user', (id) => s.userIndex(id) ?? s.newUser(id, t));
      let i = items.dense[ik];
      if (i === undefined || i < 0)
        i = items.make(ik, first + e, 'item', (id) => s.itemIndex(id) ?? s.newItem(id, t));
      let c = types.dense[tk];
      if (c === undefined || c < 0)
        c = types.make(tk, first + e, 'type', (name) => s.typeCode(name) ?? s.newType(name));
      user[e] = u;
      item[e] = i;
      type[e] = c;
    }
    this.done += n;
    return { length: n, user, item, type, value, timestamp };
  }
}

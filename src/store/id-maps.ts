/**
 * The id maps every store keeps in memory (./sqlite-store.ts, ./pg-store.ts): users' and items' dense
 * indices by external id and back, and the declared event types with their codes and given rules. They
 * answer the Store interface's synchronous lookups.
 */
import { type EventTypeRule, interactionWeights, ruleOf } from '../data/interactions.js';
import { type EventTypeRow, ruleFromRow } from './sqlite-rows.js';
import type { EventColumns, EventTypeDeclaration, Store, StoredEvent } from './store.js';

export class IdMaps {
  private readonly userIdx = new Map<string, number>();
  private readonly itemIdx = new Map<string, number>();
  private userList: string[] = [];
  private itemList: string[] = [];
  private readonly typeCodes = new Map<string, number>();
  private typeList: string[] = [];
  /** Rules given to event types (reco types set), by name. */
  private readonly typeRules = new Map<string, EventTypeRule>();

  get users(): number {
    return this.userList.length;
  }
  get items(): number {
    return this.itemList.length;
  }
  get types(): number {
    return this.typeList.length;
  }

  userIndex(id: string): number | undefined {
    return this.userIdx.get(id);
  }
  itemIndex(id: string): number | undefined {
    return this.itemIdx.get(id);
  }
  typeCode(name: string): number | undefined {
    return this.typeCodes.get(name);
  }
  /** External ids in dense-index order (copies). */
  userIds(): string[] {
    return this.userList.slice();
  }
  itemIds(): string[] {
    return this.itemList.slice();
  }
  typeNames(): string[] {
    return this.typeList.slice();
  }

  setUser(idx: number, id: string): void {
    this.userList[idx] = id;
    this.userIdx.set(id, idx);
  }
  setItem(idx: number, id: string): void {
    this.itemList[idx] = id;
    this.itemIdx.set(id, idx);
  }
  /** A declared type as stored: its code, name and given rule (none: the built-in one). */
  setType(row: EventTypeRow): void {
    this.typeCodes.set(row.name, row.code);
    this.typeList[row.code] = row.name;
    const rule = ruleFromRow(row);
    if (rule) this.typeRules.set(row.name, rule);
  }
  setRule(name: string, rule: EventTypeRule): void {
    this.typeRules.set(name, rule);
  }

  /** Forgets everything (before the maps are read again, e.g. after a rolled-back transaction). */
  clear(): void {
    this.userIdx.clear();
    this.itemIdx.clear();
    this.userList = [];
    this.itemList = [];
    this.typeCodes.clear();
    this.typeList = [];
    this.typeRules.clear();
  }

  /** Whether `events` name a user or item these maps do not know yet (another process created them). */
  behind(events: Pick<EventColumns, 'user' | 'item' | 'length'>): boolean {
    for (let k = 0; k < events.length; k++)
      if (events.user[k]! >= this.userList.length || events.item[k]! >= this.itemList.length) return true;
    return false;
  }

  eventTypes(): EventTypeDeclaration[] {
    const builtIn = interactionWeights();
    return this.typeList.map((name, code) => {
      const given = this.typeRules.get(name);
      return { name, code, rule: given ?? ruleOf(builtIn, name), given: given !== undefined };
    });
  }

  /** A stored event, by dense index, as the interface gives it. */
  storedEvent(
    u: number,
    i: number,
    type: number,
    value: number,
    ts: number,
    ingestedAt: number,
  ): StoredEvent {
    return {
      user: this.userList[u]!,
      item: this.itemList[i]!,
      type: this.typeList[type]!,
      value,
      timestamp: ts,
      ingestedAt,
    };
  }
}

/** The Store interface's synchronous lookups, answered from the store's id maps (both stores extend it). */
export abstract class IdMapLookups
  implements
    Pick<
      Store,
      'typeCode' | 'eventTypes' | 'eventTypeNames' | 'userIndex' | 'itemIndex' | 'userIds' | 'itemIds'
    >
{
  protected readonly ids = new IdMaps();

  typeCode(name: string): number | undefined {
    return this.ids.typeCode(name);
  }
  eventTypes(): EventTypeDeclaration[] {
    return this.ids.eventTypes();
  }
  eventTypeNames(): string[] {
    return this.ids.typeNames();
  }
  userIndex(id: string): number | undefined {
    return this.ids.userIndex(id);
  }
  itemIndex(id: string): number | undefined {
    return this.ids.itemIndex(id);
  }
  userIds(): string[] {
    return this.ids.userIds();
  }
  itemIds(): string[] {
    return this.ids.itemIds();
  }
}

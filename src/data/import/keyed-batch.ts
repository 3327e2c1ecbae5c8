/**
 * A keyed batch being filled by an events reader (./plain-events.ts, ./events-file.ts): its columns, and
 * the ids its keys introduce; `take` hands it over (../../store/store.ts `KeyedEventBatch`) and starts the
 * next one.
 */
import type { KeyedEventBatch } from '../../store/store.js';

export class KeyedBatchBuilder {
  length = 0;
  user!: Int32Array;
  item!: Int32Array;
  type!: Int32Array;
  value!: Float64Array;
  timestamp!: Float64Array;
  newUsers: string[] = [];
  newItems: string[] = [];
  newTypes: string[] = [];

  constructor(readonly capacity: number) {
    this.allocate();
  }

  get full(): boolean {
    return this.length === this.capacity;
  }

  /** The batch so far (its columns cut to its length); the builder starts an empty one. */
  take(): KeyedEventBatch {
    const n = this.length;
    const out: KeyedEventBatch = {
      length: n,
      user: this.user.subarray(0, n),
      item: this.item.subarray(0, n),
      type: this.type.subarray(0, n),
      value: this.value.subarray(0, n),
      timestamp: this.timestamp.subarray(0, n),
      newUsers: this.newUsers,
      newItems: this.newItems,
      newTypes: this.newTypes,
    };
    this.newUsers = [];
    this.newItems = [];
    this.newTypes = [];
    this.allocate();
    return out;
  }

  private allocate(): void {
    const n = this.capacity;
    this.length = 0;
    this.user = new Int32Array(n);
    this.item = new Int32Array(n);
    this.type = new Int32Array(n);
    this.value = new Float64Array(n);
    this.timestamp = new Float64Array(n);
  }
}

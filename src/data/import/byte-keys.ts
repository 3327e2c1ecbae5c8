/**
 * Keys for the ids of a file read as bytes (./plain-events.ts): the same byte sequence always gets the same
 * key, numbered 0, 1, ... in order of first appearance, with no string made for an id already seen. An
 * open-addressing table of FNV-1a hashes, each slot holding the hash, the key and where the key's bytes are
 * in one growing buffer (a lookup reads one slot and the bytes it compares).
 */
const SLOT = 4; // hash, key + 1 (0: empty), start, length

export class ByteKeys {
  /** SLOT numbers per slot; the number of slots is a power of two, at most half of them used. */
  private slots = new Int32Array(SLOT << 12);
  private mask = (1 << 12) - 1;
  private bytes = new Uint8Array(1 << 14);
  private used = 0;
  /** The number of keys. */
  size = 0;

  /** The key of bytes `buf[from..to)`, or -1 when they are new (see add). */
  find(buf: Uint8Array, from: number, to: number): number {
    let h = 0x811c9dc5;
    for (let j = from; j < to; j++) h = Math.imul(h ^ buf[j]!, 0x01000193);
    const slots = this.slots;
    const bytes = this.bytes;
    const len = to - from;
    for (let s = h & this.mask; ; s = (s + 1) & this.mask) {
      const at = s * SLOT;
      const k = slots[at + 1]! - 1;
      if (k < 0) return -1;
      if (slots[at] === h && slots[at + 3] === len) {
        const start = slots[at + 2]!;
        let j = 0;
        while (j < len && bytes[start + j] === buf[from + j]) j++;
        if (j === len) return k;
      }
    }
  }

  /** Adds bytes `buf[from..to)`, which find did not know; their key. */
  add(buf: Uint8Array, from: number, to: number): number {
    const k = this.size;
    if ((k + 1) * 2 > this.mask + 1) this.grow();
    const len = to - from;
    if (this.used + len > this.bytes.length) {
      const bigger = new Uint8Array(Math.max(this.bytes.length * 2, this.used + len));
      bigger.set(this.bytes.subarray(0, this.used));
      this.bytes = bigger;
    }
    this.bytes.set(buf.subarray(from, to), this.used);
    let h = 0x811c9dc5;
    for (let j = from; j < to; j++) h = Math.imul(h ^ buf[j]!, 0x01000193);
    this.place(this.slots, this.mask, h, k, this.used, len);
    this.used += len;
    this.size = k + 1;
    return k;
  }

  private place(slots: Int32Array, mask: number, h: number, k: number, start: number, len: number): void {
    let s = h & mask;
    while (slots[s * SLOT + 1] !== 0) s = (s + 1) & mask;
    const at = s * SLOT;
    slots[at] = h;
    slots[at + 1] = k + 1;
    slots[at + 2] = start;
    slots[at + 3] = len;
  }

  private grow(): void {
    const old = this.slots;
    const mask = this.mask * 2 + 1;
    const slots = new Int32Array((mask + 1) * SLOT);
    for (let at = 0; at < old.length; at += SLOT)
      if (old[at + 1] !== 0) this.place(slots, mask, old[at]!, old[at + 1]! - 1, old[at + 2]!, old[at + 3]!);
    this.slots = slots;
    this.mask = mask;
  }
}

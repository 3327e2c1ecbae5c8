/**
 * Test helpers for the shared-memory worker protocols (generation word, done word): waiting without
 * blocking this thread (so that a worker's error surfaces), and delivering a notify to a sleeping worker.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** Resolves once ctl[slot] === value (polling, without blocking this thread, so that worker errors surface). */
export async function until(
  ctl: Int32Array,
  slot: number,
  value: number,
  failed: Promise<never>,
): Promise<void> {
  while (Atomics.load(ctl, slot) !== value) await Promise.race([sleep(1), failed]);
}

/** Notifies ctl[slot] until the notify wakes the worker (it was asleep waiting on that word); resolves then. */
export async function wakeOnce(ctl: Int32Array, slot: number, failed: Promise<never>): Promise<void> {
  while (Atomics.notify(ctl, slot, 1) === 0) await Promise.race([sleep(1), failed]);
}

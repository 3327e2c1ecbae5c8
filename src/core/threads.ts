/** Small helpers for the shared-memory worker threads of ALS and EASE. */

/** Waits (blocking) until ctrl[slot] becomes nonzero, at most `ms`; true when it did. */
export function waitReady(ctrl: Int32Array, slot: number, ms: number): boolean {
  const end = Date.now() + ms;
  while (Atomics.load(ctrl, slot) === 0) {
    const left = end - Date.now();
    if (left <= 0) return false;
    Atomics.wait(ctrl, slot, 0, left);
  }
  return true;
}

/** How long a worker may take to start before the work runs on one thread instead. */
export const WORKER_START_MS = 10_000;

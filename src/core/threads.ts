/** Small helpers for the shared-memory worker threads (ALS, EASE, the GBDT histogram and lambdarank workers). */

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

/**
 * A worker's wait for its next request: blocks until the generation word ctrl[slot] differs from `seen`
 * (the last generation the worker took) and returns the new generation. Returning from Atomics.wait does
 * not mean there is a new request: the requester stores the generation and then notifies, and when it is
 * descheduled between the two, the worker can see the new generation without waiting, do the work, report
 * it done and go back to sleep before the notify arrives; that late notify then wakes it with no new
 * request. A worker that took the wake-up as a request would redo the old one, writing into buffers the
 * requester is already reading. So every wake-up re-checks the generation.
 */
export function nextRequest(ctrl: Int32Array, slot: number, seen: number): number {
  for (;;) {
    Atomics.wait(ctrl, slot, seen);
    const gen = Atomics.load(ctrl, slot);
    if (gen !== seen) return gen;
  }
}

/** How long a worker may take to start before the work runs on one thread instead. */
export const WORKER_START_MS = 10_000;

/**
 * A rank pool's thread (see ./rank-pool.ts): the bundle's ranked model loaded once more, kept live by the
 * events the main thread forwards (in the order it applies them), answering ranked top-k requests (with
 * the reasons of the first items when asked: explain=true).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openBundle } from '../models/bundle.js';
import type { Recommender, UserProfile } from '../recommenders/recommender.js';
import type { RankMessage, RankReply } from './rank-pool.js';
import { ITEM_CLOCK_MS, itemReasons, rankWithLiveProfile, type ServingRanker } from './ranker.js';

/** Users ranked before the thread says ready (see warmUp). */
const WARM_UP_USERS = 300;
const { modelsDir, version } = workerData as { modelsDir: string; version: string };
const ranker = openBundle(modelsDir, version).model('ranked') as Recommender as ServingRanker;
// the main thread's ranker runs on the same item clock (../model-slot.ts): both answer alike
ranker.setItemClock(ITEM_CLOCK_MS);
const features = ranker.featureState();
const port = parentPort!;
port.on('message', (m: RankMessage) => {
  if (m.kind === 'events') {
    const e = m.events;
    for (let k = 0; k < e.length; k += 5)
      features.applyEvent(e[k]!, e[k + 1]!, e[k + 2]!, e[k + 3]!, e[k + 4]!);
    return;
  }
  let reply: RankReply;
  if (m.targets) {
    try {
      const profile: UserProfile = {
        items: m.items,
        weights: m.weights,
        ...(m.genres ? { genres: m.genres } : {}),
        ...(m.user !== undefined ? { user: m.user } : {}),
      };
      const reasons = ranker.explainMany(profile, m.targets).map(itemReasons);
      reply = { id: m.id, items: m.targets, scores: new Float32Array(0), reasons };
    } catch (err) {
      reply = { id: m.id, error: (err as Error).message };
    }
    port.postMessage(reply);
    return;
  }
  try {
    const profile: UserProfile = {
      items: m.items,
      weights: m.weights,
      ...(m.genres ? { genres: m.genres } : {}),
    };
    const ranked = rankWithLiveProfile(ranker, profile, m.user, m.k, {
      excludeSeen: m.excludeSeen,
      ...(m.allowed ? { allowed: m.allowed } : {}),
    });
    const { top } = ranked;
    const explained = Math.min(m.explain, top.items.length);
    const reasons =
      explained > 0
        ? ranker.explainMany(ranked.profile, top.items.subarray(0, explained)).map(itemReasons)
        : undefined;
    reply = { id: m.id, items: top.items, scores: top.scores, ...(reasons ? { reasons } : {}) };
  } catch (err) {
    reply = { id: m.id, error: (err as Error).message };
  }
  port.postMessage(reply);
});
warmUp();
port.postMessage({ ready: true });

/**
 * Ranks a few hundred of the state's users before saying ready (their items from the state's events), so
 * that V8 has compiled the sources, features and trees for real data before the first request: a cold
 * thread answers its first few hundred requests several times slower. Until ready, the main thread ranks.
 */
function warmUp(): void {
  const state = ranker.featureState();
  const users = Math.min(WARM_UP_USERS, state.nUsers);
  for (let u = 0; u < users; u++) {
    const n = state.userCountBefore(u, Number.POSITIVE_INFINITY);
    const seen = new Set<number>();
    for (let k = 0; k < n; k++) seen.add(state.eventItem(state.userEvent(u, k)));
    const items = Int32Array.from([...seen].sort((a, b) => a - b));
    try {
      rankWithLiveProfile(ranker, { items, weights: new Float32Array(items.length).fill(1) }, u, 10, {
        excludeSeen: true,
      });
    } catch {
      return; // a model that cannot rank answers each request's error instead
    }
  }
}

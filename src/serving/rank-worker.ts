/**
 * A rank pool's thread (see ./rank-pool.ts): the bundle's ranked model loaded once more, kept live by the
 * events the main thread forwards (in the order it applies them), answering ranked top-k requests.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openBundle } from '../models/bundle.js';
import type { Recommender, UserProfile } from '../recommenders/recommender.js';
import type { RankMessage, RankReply } from './rank-pool.js';
import { rankWithLiveProfile, type ServingRanker } from './ranker.js';

const { modelsDir, version } = workerData as { modelsDir: string; version: string };
const ranker = openBundle(modelsDir, version).model('ranked') as Recommender as ServingRanker;
const features = ranker.featureState?.();
const port = parentPort!;
port.on('message', (m: RankMessage) => {
  if (m.kind === 'events') {
    const e = m.events;
    for (let k = 0; k < e.length; k += 5)
      features?.applyEvent(e[k]!, e[k + 1]!, e[k + 2]!, e[k + 3]!, e[k + 4]!);
    return;
  }
  let reply: RankReply;
  try {
    const profile: UserProfile = {
      items: m.items,
      weights: m.weights,
      ...(m.genres ? { genres: m.genres } : {}),
    };
    const { top } = rankWithLiveProfile(ranker, profile, m.user, m.k, {
      excludeSeen: m.excludeSeen,
      ...(m.allowed ? { allowed: m.allowed } : {}),
    });
    reply = { id: m.id, items: top.items, scores: top.scores };
  } catch (err) {
    reply = { id: m.id, error: (err as Error).message };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true });

/**
 * A small hand-made world for the serving tests: 12 items (i1-i6 Action, i7-i12 Drama), 8 users
 * (u1-u4 watch Action, u5-u8 Drama), models fitted and saved as a bundle, and an app over it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type FittedModel, writeBundle } from '../../src/models/bundle.js';
import { createRecommender, recommenderNames } from '../../src/recommenders/index.js';
import { buildInteractions, interactionWeights } from '../../src/recommenders/interactions.js';
import type { ApiKey } from '../../src/serving/api-keys.js';
import { buildApp } from '../../src/serving/app.js';
import { OnlineState } from '../../src/serving/online-state.js';
import type { Trainer } from '../../src/serving/retrain.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import type { EventLog, EventRecord, ItemRecord, ModelName } from '../../src/types.js';

export const CLIENT_KEY = 'client-key-0123456789';
export const ADMIN_KEY = 'admin-key-0123456789';
export const KEYS: ApiKey[] = [
  { role: 'client', key: CLIENT_KEY },
  { role: 'admin', key: ADMIN_KEY },
];
export const client = { authorization: `Bearer ${CLIENT_KEY}` };
export const admin = { 'x-api-key': ADMIN_KEY };

export const ITEMS: ItemRecord[] = Array.from({ length: 12 }, (_, k) => ({
  id: `i${k + 1}`,
  title: `Film ${k + 1}`,
  genres: [k < 6 ? 'Action' : 'Drama'],
}));

/** Which items each user rated (1-based item numbers). Item popularity: i1 5 users, i7 5 users, ... */
export const WATCHED: Record<string, number[]> = {
  u1: [1, 2, 3],
  u2: [1, 2, 4],
  u3: [1, 3, 4, 5],
  u4: [1, 2, 5, 6, 7],
  u5: [7, 8, 9],
  u6: [7, 8, 10],
  u7: [7, 9, 10, 11],
  u8: [7, 8, 11, 12, 1],
};

export function seedEvents(): EventRecord[] {
  const out: EventRecord[] = [];
  let t = Date.UTC(2026, 0, 1);
  for (const [user, items] of Object.entries(WATCHED))
    for (const i of items)
      out.push({ user, item: `i${i}`, type: 'rating', value: 4, timestamp: (t += 60_000) });
  return out;
}

/** The events a training sees, and their position in the store (as `reco train` reads them). */
export function snapshot(store: Store): { log: EventLog; position: number } {
  return store.transaction(() => ({ log: store.loadEventLog(), position: store.eventPosition() }));
}

/** Fits `models` on everything in the store (or a `snap` taken earlier) and writes a bundle (made current). */
export async function trainBundle(
  store: Store,
  modelsDir: string,
  models: ModelName[],
  version?: string,
  snap = snapshot(store),
) {
  const { log, position } = snap;
  const items = store.listItems().slice(0, log.itemIds.length);
  const weights = interactionWeights();
  const interactions = buildInteractions(log, weights);
  const fitted: FittedModel[] = [];
  for (const name of models) {
    const params: Record<string, Record<string, unknown>> = {
      als: { factors: 4, iterations: 5 },
      itemknn: { neighbours: 5 },
      ease: { lambda: 1 },
    };
    const model = createRecommender(name, params[name]);
    await model.fit({ interactions, log, items });
    fitted.push({ model, fitSeconds: 0 });
  }
  return writeBundle({
    modelsDir,
    data: {
      db: store.path,
      users: log.userIds.length,
      items: log.itemIds.length,
      events: log.length,
      position,
      firstEvent: log.length ? log.timestamp[0]! : null,
      lastEvent: log.length ? log.timestamp[log.length - 1]! : null,
    },
    weights,
    userIds: log.userIds,
    itemIds: log.itemIds,
    models: fitted,
    ...(version ? { version } : {}),
  });
}

export const TEST_MODELS: ModelName[] = (['popularity', 'itemknn', 'ease', 'als'] as ModelName[]).filter(
  (m) => recommenderNames().includes(m),
);

export interface World {
  dir: string;
  store: Store;
  state: OnlineState;
  app: FastifyInstance;
  modelsDir: string;
  close(): Promise<void>;
}

export async function makeWorld(
  options: { rateLimit?: number; trainer?: Trainer; autoCreateItems?: boolean; cacheSize?: number } = {},
): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'reco-serving-'));
  const store = openStore(join(dir, 'reco.db'));
  store.upsertItems(ITEMS);
  store.insertEvents(seedEvents());
  const modelsDir = join(dir, 'models');
  await trainBundle(store, modelsDir, TEST_MODELS, '20260101-000000-000');
  const state = new OnlineState(store, {
    modelsDir,
    ...(options.autoCreateItems ? { autoCreateItems: true } : {}),
    ...(options.cacheSize !== undefined ? { cacheSize: options.cacheSize } : {}),
  });
  state.swap();
  const app = await buildApp({
    state,
    keys: KEYS,
    rateLimit: options.rateLimit ?? 0,
    defaultMetrics: false,
    ...(options.trainer ? { trainer: options.trainer } : {}),
  });
  await app.ready();
  return {
    dir,
    store,
    state,
    app,
    modelsDir,
    async close() {
      await app.close();
      await app.retrainer.done();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

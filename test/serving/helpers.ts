/**
 * A small hand-made world for the serving tests: 12 items (i1-i6 Action, i7-i12 Drama), 8 users
 * (u1-u4 watch Action, u5-u8 Drama), models fitted and saved as a bundle, and an app over it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createModel } from '../../src/models/factory.js';
import { recommenderNames } from '../../src/recommenders/index.js';
import type { ApiKey } from '../../src/serving/api-keys.js';
import { buildApp } from '../../src/serving/app.js';
import { createServices, type Services } from '../../src/serving/compose.js';
import type { Trainer } from '../../src/serving/retrain.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import type { ModelParams } from '../../src/training/fit-models.js';
import { trainBundle as train } from '../../src/training/train-bundle.js';
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
export function snapshot(store: Store): Promise<{ log: EventLog; position: number }> {
  return store.transaction(async () => ({
    log: await store.loadEventLog(),
    position: await store.eventPosition(),
  }));
}

/** Small parameters for the test world's models. */
const SMALL: ModelParams = {
  als: { factors: 4, iterations: 5 },
  itemknn: { neighbours: 5 },
  ease: { lambda: 1 },
};

/**
 * Fits `models` (with small parameters unless `params` says otherwise) on everything in the store (or a
 * `snap` taken earlier) and writes a bundle (made current).
 */
export async function trainBundle(
  store: Store,
  modelsDir: string,
  models: ModelName[],
  version?: string,
  snap?: { log: EventLog; position: number },
  params = SMALL,
) {
  snap ??= await snapshot(store);
  return train({
    store,
    modelsDir,
    models,
    create: createModel,
    params,
    snapshot: snap,
    ...(version ? { version } : {}),
  });
}

export const TEST_MODELS: ModelName[] = (['popularity', 'itemknn', 'ease', 'als'] as ModelName[]).filter(
  (m) => recommenderNames().includes(m),
);

export interface World {
  dir: string;
  store: Store;
  services: Services;
  app: FastifyInstance;
  modelsDir: string;
  close(): Promise<void>;
}

export async function makeWorld(
  options: {
    rateLimit?: number;
    trainer?: Trainer;
    autoCreateItems?: boolean;
    cacheSize?: number;
    /** The store (a new, empty one; default or undefined: a SQLite file in the world's folder). */
    db?: string | undefined;
  } = {},
): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'reco-serving-'));
  const store = await openStore(options.db ?? join(dir, 'reco.db'));
  await store.upsertItems(ITEMS);
  await store.insertEvents(seedEvents());
  const modelsDir = join(dir, 'models');
  await trainBundle(store, modelsDir, TEST_MODELS, '20260101-000000-000');
  const services = await createServices(store, {
    modelsDir,
    ...(options.autoCreateItems ? { autoCreateItems: true } : {}),
    ...(options.cacheSize !== undefined ? { cacheSize: options.cacheSize } : {}),
  });
  await services.models.swap();
  const app = await buildApp({
    services,
    keys: KEYS,
    rateLimit: options.rateLimit ?? 0,
    defaultMetrics: false,
    ...(options.trainer ? { trainer: options.trainer } : {}),
  });
  await app.ready();
  return {
    dir,
    store,
    services,
    app,
    modelsDir,
    async close() {
      await app.close();
      await app.retrainer.done();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

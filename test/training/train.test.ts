import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { buildInteractions } from '../../src/data/interactions.js';
import { createModel } from '../../src/models/factory.js';
import type { HybridRecommender } from '../../src/recommenders/hybrid.js';
import type { Recommender } from '../../src/recommenders/recommender.js';
import { openStore } from '../../src/store/open.js';
import { fitModels } from '../../src/training/fit-models.js';
import { trainInWorker } from '../../src/training/train-in-worker.js';
import type { ModelName } from '../../src/types.js';
import { ITEMS, seedEvents } from '../serving/helpers.js';

async function seededStore(dir: string) {
  const store = await openStore(join(dir, 'reco.db'));
  await store.upsertItems(ITEMS);
  await store.insertEvents(seedEvents());
  return store;
}

describe('fitModels', () => {
  test('fits each model once, composites last, and lends a model only to copies with its parameters', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reco-fit-'));
    const store = await seededStore(dir);
    try {
      const log = await store.loadEventLog();
      const created: ModelName[] = [];
      const models = await fitModels(
        { interactions: buildInteractions(log), log, items: await store.listItems() },
        ['hybrid', 'als', 'itemknn'],
        {
          create: (name, params) => {
            created.push(name);
            return createModel(name, params);
          },
          params: { itemknn: { neighbours: 3 }, als: { factors: 4, iterations: 3 } },
        },
      );
      // als and itemknn have parameters of their own: hybrid fits its own copies of both (and content,
      // popularity) instead of borrowing them
      assert.deepEqual(created, ['als', 'itemknn', 'hybrid']);
      const hybrid = models.get('hybrid') as HybridRecommender;
      const parts = new Map(hybrid.components().map((c) => [c.name, c.model]));
      assert.notEqual(parts.get('als'), models.get('als'));

      const lentTo: Recommender[] = [];
      const second = await fitModels(
        { interactions: buildInteractions(log), log, items: await store.listItems() },
        ['hybrid', 'als'],
        { create: (name, params) => createModel(name, params), onFitted: (_n, m) => void lentTo.push(m) },
      );
      // default als: fitted first, then the hybrid's own als component is that very model
      assert.deepEqual(
        lentTo.map((m) => m.name),
        ['als', 'hybrid'],
      );
      const parts2 = new Map(
        (second.get('hybrid') as HybridRecommender).components().map((c) => [c.name, c.model]),
      );
      assert.equal(parts2.get('als'), second.get('als'));

      // parameters of its own given to the model and to the hybrid's component alike (reco train's tuned
      // ones): the hybrid borrows it; another item-kNN than the hybrid's is fitted apart
      const als = { factors: 4, iterations: 3 };
      const third = await fitModels(
        { interactions: buildInteractions(log), log, items: await store.listItems() },
        ['hybrid', 'als', 'itemknn'],
        {
          create: (name, params) => createModel(name, params),
          params: { als, itemknn: { neighbours: 3 }, hybrid: { componentParams: { als } } },
        },
      );
      const parts3 = new Map(
        (third.get('hybrid') as HybridRecommender).components().map((c) => [c.name, c.model]),
      );
      assert.equal(parts3.get('als'), third.get('als'));
      assert.notEqual(parts3.get('itemknn'), third.get('itemknn'));
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('trainInWorker', () => {
  test('trains a bundle from the store in a worker thread and makes it current', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reco-train-worker-'));
    await (await seededStore(dir)).close();
    try {
      const modelsDir = join(dir, 'models');
      const version = await trainInWorker({
        db: join(dir, 'reco.db'),
        modelsDir,
        models: ['popularity', 'itemknn'],
      });
      assert.equal(readFileSync(join(modelsDir, 'current'), 'utf8').trim(), version);
      const manifest = JSON.parse(readFileSync(join(modelsDir, version, 'manifest.json'), 'utf8')) as {
        models: { name: string }[];
        data: { events: number };
      };
      assert.deepEqual(
        manifest.models.map((m) => m.name),
        ['popularity', 'itemknn'],
      );
      assert.equal(manifest.data.events, seedEvents().length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("rejects with the training's own message (a store without events)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reco-train-worker-'));
    try {
      await assert.rejects(
        trainInWorker({
          db: join(dir, 'missing', 'reco.db'),
          modelsDir: join(dir, 'models'),
          models: ['popularity'],
        }),
        /holds no events/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

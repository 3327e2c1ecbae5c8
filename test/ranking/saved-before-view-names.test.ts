/**
 * A ranked model saved by reco before its label views were named next and missing (arrays gbdt.temporal,
 * gbdt.random, gbdt.catalogue.temporal; views labelled 'temporal' and 'random') loads, gives the answers
 * it gave when saved, bit for bit, and saves again under the new names. The fixture is a tiny model of a
 * simulated world, made by the code of that time (test/fixtures/ranked/before-view-names.json).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RankedRecommender } from '../../src/ranking/ranker.js';
import type { SavedModel, TypedArray, UserProfile } from '../../src/recommenders/recommender.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface Fixture {
  meta: SavedModel['meta'];
  arrays: Record<string, { type: string; base64: string }>;
  answers: {
    user: number;
    items: number[];
    weights: string;
    top: number[];
    scores: string;
    scoreAll: string;
    explainScore: number;
  }[];
}

const fixture: Fixture = JSON.parse(
  readFileSync(resolve(repoRoot, 'test', 'fixtures', 'ranked', 'before-view-names.json'), 'utf8'),
);

const TYPES: Record<string, new (b: ArrayBuffer) => TypedArray> = {
  Float32Array,
  Float64Array,
  Int32Array,
  Uint8Array,
};

function typed(type: string, bytes: Buffer): TypedArray {
  const C = TYPES[type];
  if (!C) throw new Error(`no typed array ${type}`);
  return new C(new Uint8Array(bytes).buffer);
}

const hex = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

function saved(): SavedModel {
  const arrays: Record<string, TypedArray> = {};
  for (const [k, { type, base64 }] of Object.entries(fixture.arrays))
    arrays[k] = typed(type, Buffer.from(base64, 'base64'));
  return { meta: structuredClone(fixture.meta), arrays };
}

/** The model's answers for the fixture's profiles are those it gave when saved. */
function assertSameAnswers(model: RankedRecommender): void {
  for (const a of fixture.answers) {
    const profile: UserProfile = {
      user: a.user,
      items: Int32Array.from(a.items),
      weights: new Float32Array(typed('Float32Array', Buffer.from(a.weights, 'hex'))),
    };
    const top = model.recommend(profile, 8);
    assert.deepEqual(Array.from(top.items), a.top, `user ${a.user}: top items`);
    assert.equal(hex(top.scores), a.scores, `user ${a.user}: top scores`);
    assert.equal(hex(model.scoreAll(profile)), a.scoreAll, `user ${a.user}: scoreAll`);
    assert.equal(model.explain(profile, a.top[0]!).score, a.explainScore, `user ${a.user}: explained score`);
  }
}

test('ranked: a bundle saved before the views were named next and missing loads, answers as it did, saves under the new names', () => {
  const old = saved();
  assert.ok(
    'gbdt.temporal' in old.arrays && 'gbdt.random' in old.arrays && 'gbdt.catalogue.temporal' in old.arrays,
  );
  const model = RankedRecommender.load(old);
  assert.deepEqual(model.labelViewsFitted(), ['next', 'missing']);
  assert.deepEqual(
    model.report?.views.map((v) => v.label),
    ['next', 'missing'],
  );
  assertSameAnswers(model);
  const again = model.save();
  assert.deepEqual(
    Object.keys(again.arrays).filter((k) => k.startsWith('gbdt.')),
    ['gbdt.next', 'gbdt.missing', 'gbdt.catalogue.next'],
  );
  assert.deepEqual(again.meta['views'], [
    { label: 'next', blend: 0 },
    { label: 'missing', blend: 3 },
  ]);
  assert.deepEqual(again.meta['catalogueViews'], [{ label: 'next', blend: 0.1 }]);
  assertSameAnswers(RankedRecommender.load(again));
});

test('ranked: a saved model with a label view of an unknown name is refused', () => {
  const old = saved();
  const meta = { ...old.meta, views: [{ label: 'sideways', blend: 0 }] };
  assert.throws(() => RankedRecommender.load({ ...old, meta }), /unknown label view 'sideways'/);
});

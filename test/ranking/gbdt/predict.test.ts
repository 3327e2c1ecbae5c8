import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { Rng } from '../../../src/core/random.js';
import { leafCoveringRows } from '../../../src/ranking/gbdt/codegen.js';
import { readDataFile } from '../../../src/ranking/gbdt/io/data-file.js';
import { loadModelFile, parseModelText } from '../../../src/ranking/gbdt/io/model-text.js';
import { K_ZERO_THRESHOLD } from '../../../src/ranking/gbdt/meta.js';
import { GbdtPredictor, leafOf } from '../../../src/ranking/gbdt/predict.js';
import { fixtureDir, requireSharedFixtures, sharedFixtureDir, sharedSkip } from './fixtures.js';
import { TINY_MODEL, TINY_ROWS } from './tiny-model.js';

function readPred(path: string): number[] {
  return readFileSync(path, 'utf8').trim().split('\n').map(Number);
}

function checkFixture(dir: string, name: string, dataFile: string, header: boolean) {
  const model = loadModelFile(resolve(dir, `${name}.model.txt`));
  const data = readDataFile(resolve(dir, dataFile), { header, model });
  const expected = readPred(resolve(dir, `${name}.test.pred`));
  assert.equal(data.numRows, expected.length);
  const p = new GbdtPredictor(model);
  const raw = p.predictRaw(data.values, data.numRows);
  let maxDiff = 0;
  for (let i = 0; i < expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(raw[i]! - expected[i]!));
  assert.ok(maxDiff <= 1e-9, `${name}: max |reco - LightGBM| = ${maxDiff}`);
  // The single-row path gives the same numbers.
  for (let r = 0; r < data.numRows; r += 37)
    assert.equal(p.predictRawOne(data.values, r * p.numFeatures), raw[r]);
  // The compiled trees give the interpreter's numbers bit for bit, batch and single-row.
  const c = new GbdtPredictor(model, { compile: true });
  assertSameBits(c.predictRaw(data.values, data.numRows), raw, `${name} compiled`);
  for (let r = 0; r < data.numRows; r += 37)
    assert.ok(
      Object.is(c.predictRawOne(data.values, r * c.numFeatures), raw[r]),
      `${name} compiled row ${r}`,
    );
}

function assertSameBits(got: Float64Array, want: Float64Array, what: string): void {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++)
    assert.ok(Object.is(got[i], want[i]), `${what}: row ${i}: ${got[i]} != ${want[i]}`);
}

test('rank fixture: raw scores equal LightGBM within 1e-9 on every row', () => {
  checkFixture(fixtureDir, 'rank', 'rank.test', false);
});

test('binary fixture: raw scores equal LightGBM within 1e-9 on every row', () => {
  checkFixture(fixtureDir, 'binary', 'binary.test', false);
});

test('ml100k-cat (shared): categorical splits and NaN, within 1e-9 on every row', {
  skip: sharedSkip,
}, () => {
  requireSharedFixtures();
  checkFixture(sharedFixtureDir, 'ml100k-cat', 'ml100k-cat.test.tsv', true);
});

test('hand-worked rows: missing types, default_left, zero threshold, categorical bitsets', () => {
  const p = new GbdtPredictor(parseModelText(TINY_MODEL));
  const x = new Float64Array(TINY_ROWS.flatMap((row) => row.slice(0, 3)));
  const raw = p.predictRaw(x, TINY_ROWS.length);
  TINY_ROWS.forEach(([a, b, c, want], i) => {
    assert.ok(Math.abs(raw[i]! - want) < 1e-12, `row ${i} (${a}, ${b}, ${c}): ${raw[i]} != ${want}`);
  });
});

test('compiled trees: the hand-worked rows, and NaN routed left under missing type none', () => {
  const c = new GbdtPredictor(parseModelText(TINY_MODEL), { compile: true });
  const x = new Float64Array(TINY_ROWS.flatMap((row) => row.slice(0, 3)));
  const raw = c.predictRaw(x, TINY_ROWS.length);
  TINY_ROWS.forEach(([a, b, d, want], i) => {
    assert.ok(Math.abs(raw[i]! - want) < 1e-12, `row ${i} (${a}, ${b}, ${d}): ${raw[i]} != ${want}`);
  });
  // tree 2 with threshold 0.5: a NaN reads as 0 <= 0.5 and goes left (0.001), 0.7 goes right (0.002)
  const m = parseModelText(TINY_MODEL.replace('threshold=-0.5', 'threshold=0.5'));
  for (const p of [new GbdtPredictor(m), new GbdtPredictor(m, { compile: true })]) {
    assert.equal(p.predictRawOne([1, 0.3, 0]), 1 + 0.25 + 0.002 + 0.125);
    assert.equal(p.predictRawOne([Number.NaN, 0.3, 0]), 1 + 0.25 + 0.001 + 0.125);
  }
});

test('compiled trees equal the interpreter bit for bit on seeded rows of edge values (one and two outputs, averaged)', () => {
  const rng = new Rng(7);
  const edge = [
    Number.NaN,
    0,
    -0,
    1e-36,
    -1e-36,
    K_ZERO_THRESHOLD,
    -K_ZERO_THRESHOLD,
    0.5,
    1.5,
    -0.5,
    3,
    33,
    31,
    32,
    1e10,
    -1,
  ];
  const rows = 2000;
  const x = new Float64Array(rows * 3);
  for (let i = 0; i < x.length; i++)
    x[i] = rng.float() < 0.7 ? edge[rng.int(edge.length)]! : rng.float() * 8 - 3;
  const variants = [
    TINY_MODEL,
    TINY_MODEL.replace('threshold=-0.5', 'threshold=0.5'),
    TINY_MODEL.replace('threshold=-0.5', 'threshold=0'),
    TINY_MODEL.replace('threshold=0.5', 'threshold=0'),
    // two outputs (trees 0, 2 and 1, 3), and a random forest (average of the trees)
    TINY_MODEL.replace(
      'num_class=1\nnum_tree_per_iteration=1',
      'num_class=2\nnum_tree_per_iteration=2',
    ).replace('objective=binary sigmoid:2', 'objective=multiclass num_class:2'),
    TINY_MODEL.replace('feature_names=', 'average_output\nfeature_names='),
  ];
  for (const [v, text] of variants.entries()) {
    const model = parseModelText(text);
    const interp = new GbdtPredictor(model);
    const compiled = new GbdtPredictor(model, { compile: true });
    assertSameBits(compiled.predictRaw(x, rows), interp.predictRaw(x, rows), `variant ${v}`);
  }
});

test('warm-up rows reach every leaf of every tree (fixtures and the hand-written model)', () => {
  const models = [
    loadModelFile(resolve(fixtureDir, 'rank.model.txt')),
    loadModelFile(resolve(fixtureDir, 'binary.model.txt')),
    parseModelText(TINY_MODEL),
  ];
  for (const model of models) {
    const p = new GbdtPredictor(model);
    const { x, rows } = leafCoveringRows(p.flatTrees(), p.numFeatures);
    model.trees.forEach((t, ti) => {
      const reached = new Set<number>();
      for (let r = 0; r < rows; r++) reached.add(leafOf(t, x, r * p.numFeatures));
      assert.equal(reached.size, t.numLeaves, `tree ${ti}: ${reached.size} of ${t.numLeaves} leaves reached`);
    });
  }
});

test('transformed output: sigmoid with the model sigmoid parameter; num_iteration limits trees', () => {
  const p = new GbdtPredictor(parseModelText(TINY_MODEL));
  const x = new Float64Array([1, 0.3, 0]);
  const raw = 1 + 0.25 + 0.002 + 0.125;
  assert.ok(Math.abs(p.predict(x, 1)[0]! - 1 / (1 + Math.exp(-2 * raw))) < 1e-15);
  const two = new GbdtPredictor(parseModelText(TINY_MODEL), { numIteration: 2 });
  assert.ok(Math.abs(two.predictRawOne(x) - 1.25) < 1e-15);
});

test('early exit: head then tail trees (compiled or not) give predictRaw bit for bit', () => {
  const model = loadModelFile(resolve(fixtureDir, 'binary.model.txt'));
  const data = readDataFile(resolve(fixtureDir, 'binary.test'), { header: false, model });
  const rows = Math.min(200, data.numRows);
  const x = data.values.subarray(0, rows * (model.maxFeatureIdx + 1));
  const full = new GbdtPredictor(model).predictRaw(x, rows);
  for (const compile of [false, true]) {
    const p = new GbdtPredictor(model, { compile, splitAt: 7 });
    assert.equal(p.split, 7);
    assertSameBits(p.predictRaw(x, rows), full, `split predictRaw, compile ${compile}`);
    const out = new Float64Array(rows);
    p.addTrees('head', x, rows, out);
    const head = Float64Array.from(out);
    p.addTrees('tail', x, rows, out);
    assertSameBits(out, full, `head + tail, compile ${compile}`);
    // the head alone is the first 7 trees' sum
    assertSameBits(head, new GbdtPredictor(model, { numIteration: 7 }).predictRaw(x, rows), 'head');
  }
  assert.throws(() => new GbdtPredictor(model).addTrees('head', x, rows, new Float64Array(rows)), /splitAt/);
  assert.throws(() => new GbdtPredictor(model, { splitAt: -2 }), /splitAt/);
});

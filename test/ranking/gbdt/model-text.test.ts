import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../../../src/errors.js';
import { formatG } from '../../../src/ranking/gbdt/io/format-number.js';
import { loadModelFile, modelToText, parseModelText } from '../../../src/ranking/gbdt/io/model-text.js';
import { fixtureDir, requireSharedFixtures, sharedFixtureDir, sharedSkip } from './fixtures.js';
import { TINY_MODEL } from './tiny-model.js';

test('formatG prints as C printf %g / %.17g (ties to even, exponent with two digits)', () => {
  // Expected strings from glibc printf.
  assert.equal(formatG(0.5, 1), '0.5');
  assert.equal(formatG(2.5, 1), '2');
  assert.equal(formatG(0.125, 2), '0.12');
  assert.equal(formatG(0.375, 2), '0.38');
  assert.equal(formatG(26505333702656 / 2 ** 40, 17), '24.106460571289062');
  assert.equal(formatG(Math.fround(1e-35), 17), '1.0000000180025095e-35');
  assert.equal(formatG(123456789, 6), '1.23457e+08');
  assert.equal(formatG(0.00001, 6), '1e-05');
  assert.equal(formatG(1e21, 17), '1e+21');
  assert.equal(formatG(999999.5, 6), '1e+06');
  assert.equal(formatG(-0.1, 17), '-0.10000000000000001');
  assert.equal(formatG(1991.5000000000002, 17), '1991.5000000000002');
});

for (const name of ['rank', 'binary']) {
  test(`${name} fixture: LightGBM's model text is written back byte for byte`, () => {
    const path = resolve(fixtureDir, `${name}.model.txt`);
    const text = readFileSync(path, 'utf8');
    assert.equal(modelToText(parseModelText(text, path)), text);
  });
}

test('ml100k-cat (shared fixture): categorical model written back byte for byte', {
  skip: sharedSkip,
}, () => {
  requireSharedFixtures();
  const path = resolve(sharedFixtureDir, 'ml100k-cat.model.txt');
  const text = readFileSync(path, 'utf8');
  const model = parseModelText(text, path);
  assert.ok(model.trees.some((t) => t.numCat > 0));
  assert.equal(modelToText(model), text);
});

test('header fields of the binary fixture', () => {
  const m = loadModelFile(resolve(fixtureDir, 'binary.model.txt'));
  assert.equal(m.numClass, 1);
  assert.equal(m.numTreePerIteration, 1);
  assert.equal(m.labelIndex, 0);
  assert.equal(m.maxFeatureIdx, 27);
  assert.equal(m.objective, 'binary sigmoid:1');
  assert.equal(m.featureNames.length, 28);
  assert.equal(m.featureNames[0], 'Column_0');
  assert.equal(m.trees.length, 100);
  assert.equal(m.trees[0]!.numLeaves, 63);
  assert.match(m.parametersText ?? '', /\[num_leaves: 63\]/);
});

test('tree_sizes give the byte length of each tree block', () => {
  const text = modelToText(parseModelText(TINY_MODEL));
  const sizes = /^tree_sizes=(.*)$/m.exec(text)![1]!.split(' ').map(Number);
  assert.equal(sizes.length, 4);
  const buf = Buffer.from(text, 'utf8');
  let at = buf.indexOf('Tree=0\n');
  sizes.forEach((size, i) => {
    assert.equal(buf.subarray(at, at + 7).toString(), `Tree=${i}\n`);
    at += size;
  });
  assert.equal(buf.subarray(at, at + 12).toString(), 'end of trees');
});

test('the tiny model parses: categorical bitsets, decision types, single-leaf tree', () => {
  const m = parseModelText(TINY_MODEL);
  assert.equal(m.trees.length, 4);
  const t0 = m.trees[0]!;
  assert.deepEqual([...t0.decisionType], [10, 9]);
  assert.deepEqual([...t0.catBoundaries], [0, 2]);
  assert.deepEqual([...t0.catThreshold], [10, 2]);
  assert.deepEqual([...t0.leftChild], [-1, -2]);
  assert.equal(m.trees[1]!.shrinkage, 0.1);
  assert.equal(m.trees[3]!.numLeaves, 1);
  assert.deepEqual([...m.trees[3]!.leafValue], [0.125]);
  // Written back with the fields LightGBM writes; parsing again gives the same model.
  const again = parseModelText(modelToText(m));
  assert.deepEqual(again.trees, m.trees);
});

function lineOf(text: string, needle: string): number {
  return text.slice(0, text.indexOf(needle)).split('\n').length;
}

test('linear trees are refused, naming the tree and the line', () => {
  const bad = TINY_MODEL.replace('is_linear=0\nshrinkage=0.1', 'is_linear=1\nshrinkage=0.1');
  const line = lineOf(bad, 'is_linear=1');
  assert.throws(
    () => parseModelText(bad, 'm.txt'),
    (e: Error) =>
      e instanceof InputError &&
      e.message.includes(`m.txt, line ${line}`) &&
      e.message.includes('tree 1 is a linear tree'),
  );
});

test('malformed models: errors name the line and the fault', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['threshold=1.5 0', 'threshold=1.5', /tree 0 threshold has 1 values, expected 2/],
    ['leaf_value=1 10 100', 'leaf_value=1 x 100', /tree 0 leaf_value: "x" is not a number/],
    ['split_feature=0 2', 'split_feature=0 7', /split_feature: 7 is outside/],
    ['right_child=1 -3', 'right_child=1 -2', /leaf 1 under node 1 is invalid/],
  ];
  for (const [from, to, re] of cases) {
    const bad = TINY_MODEL.replace(from, to);
    const line = lineOf(bad, to);
    assert.throws(
      () => parseModelText(bad, 'm.txt'),
      (e: Error) => e instanceof InputError && re.test(e.message) && e.message.includes(`line ${line}`),
      `${to}`,
    );
  }
  assert.throws(() => parseModelText('hello\n'), /not a LightGBM text model/);
  assert.throws(() => parseModelText(TINY_MODEL.replace('max_feature_idx=2\n', '')), /no max_feature_idx/);
  assert.throws(
    () => parseModelText(TINY_MODEL.slice(0, TINY_MODEL.indexOf('end of trees'))),
    /end of trees/,
  );
  assert.throws(() => parseModelText(TINY_MODEL.replace('Tree=2', 'Tree=5')), /expected Tree=2/);
});

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { InputError, UsageError } from '../../../src/errors.js';
import { detectFormat, lgbAtof, readDataFile } from '../../../src/ranking/gbdt/io/data-file.js';
import { fixtureDir } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'reco-data-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

test("lgbAtof reproduces LightGBM's Common::Atof, including its rounding", () => {
  assert.equal(lgbAtof('0.5'), 0.5);
  assert.equal(lgbAtof(' -2.25 '), -2.25);
  assert.equal(lgbAtof('1e3'), 1000);
  assert.equal(lgbAtof('2.5E-1'), 0.25);
  // Atof adds the integer part and fraction/10^digits: not always the correctly rounded double.
  assert.equal(lgbAtof('4.58121'), 4 + 58121 / 100000);
  assert.notEqual(lgbAtof('4.58121'), 4.58121);
  assert.ok(Number.isNaN(lgbAtof('nan')!));
  assert.ok(Number.isNaN(lgbAtof('NA')!));
  assert.ok(Number.isNaN(lgbAtof('null')!));
  assert.ok(Number.isNaN(lgbAtof('')!));
  assert.equal(lgbAtof('-inf'), -1e308);
  assert.equal(lgbAtof('abc'), undefined);
  assert.equal(lgbAtof('1.5x'), undefined);
});

test('format detection follows LightGBM (colon: libsvm; equal tab or comma counts)', () => {
  assert.equal(detectFormat(['1 1:2', '0 3:1']), 'libsvm');
  assert.equal(detectFormat(['1\t2\t3', '0\t1\t1']), 'tsv');
  assert.equal(detectFormat(['1,2,3', '0,1,1']), 'csv');
  assert.equal(detectFormat(['1,2,3', '0,1']), undefined);
  assert.equal(detectFormat(['1\t2', '0\t1', '0\t1\t2']), undefined);
});

test('libsvm: label first, absent entries are 0, features up to the largest index', () => {
  const p = file('a.svm', '1 0:0.5 3:2\n0 1:1.5\n\n2 2:nan\n');
  const d = readDataFile(p);
  assert.equal(d.format, 'libsvm');
  assert.equal(d.numRows, 3);
  assert.equal(d.numFeatures, 4);
  assert.deepEqual([...d.labels], [1, 0, 2]);
  assert.deepEqual([...d.values.subarray(0, 8)], [0.5, 0, 0, 2, 0, 1.5, 0, 0]);
  assert.ok(Number.isNaN(d.values[10]!));
  assert.deepEqual(d.featureNames, ['Column_0', 'Column_1', 'Column_2', 'Column_3']);
  assert.equal(d.queryBoundaries, undefined);
  // Aligned with a training set of 6 features.
  assert.equal(readDataFile(p, { numFeatures: 6 }).numFeatures, 6);
});

test('rank fixture: libsvm with a .query file beside it', () => {
  const d = readDataFile(resolve(fixtureDir, 'rank.test'));
  assert.equal(d.numRows, 768);
  assert.equal(d.queryBoundaries![0], 0);
  assert.equal(d.queryBoundaries![d.queryBoundaries!.length - 1], 768);
  assert.equal(
    d.groups!.reduce((a, b) => a + b, 0),
    768,
  );
  assert.equal(d.labels[0], 2);
  assert.ok(Math.abs(d.values[1]! - 0.74) < 1e-15);
});

test('TSV with header, label_column=name:, categorical_feature=name:, missing values', () => {
  const p = file('b.tsv', 'x\ty\tlabel\tcat\n1.5\tnan\t1\t3\n\tNA\t0\t-1\n2\t1e-40\t1\t0\n');
  const d = readDataFile(p, { header: true, labelColumn: 'name:label', categoricalFeature: 'name:cat' });
  assert.equal(d.format, 'tsv');
  assert.deepEqual(d.featureNames, ['x', 'y', 'cat']);
  assert.deepEqual([...d.labels], [1, 0, 1]);
  assert.deepEqual(d.categoricalFeatures, [2]);
  assert.equal(d.values[0], 1.5);
  assert.ok(Number.isNaN(d.values[1]!));
  assert.ok(Number.isNaN(d.values[3]!));
  assert.ok(Number.isNaN(d.values[4]!));
  assert.equal(d.values[5], -1);
  assert.equal(d.values[7], 0); // |1e-40| <= kZeroThreshold reads as 0
  // Index forms count features without the label column.
  const e = readDataFile(p, {
    header: true,
    labelColumn: '2',
    categoricalFeature: '2',
    ignoreColumn: 'name:y',
  });
  assert.deepEqual(e.categoricalFeatures, [2]);
  assert.deepEqual(e.ignoredFeatures, [1]);
  assert.equal(e.values[1], 0);
});

test('CSV without header, label in another column, group_column gives queries', () => {
  const p = file('c.csv', '7,1,0.5\n7,0,0.25\n9,1,1\n');
  const d = readDataFile(p, { labelColumn: '1', groupColumn: '0' });
  assert.equal(d.format, 'csv');
  assert.deepEqual([...d.labels], [1, 0, 1]);
  assert.deepEqual([...d.queryBoundaries!], [0, 2, 3]);
  assert.deepEqual([...d.groups!], [2, 1]);
  assert.deepEqual(d.ignoredFeatures, [0]);
});

test('prediction input: columns matched to the model by header name; label detected by column count', () => {
  const model = { featureNames: ['b', 'a'], labelIndex: 0 };
  const p = file('d.tsv', 'label\ta\tb\n1\t10\t20\n');
  const d = readDataFile(p, { header: true, model });
  assert.deepEqual([...d.values], [20, 10]);
  const q = file('e.tsv', '5\t6\n7\t8\n');
  assert.deepEqual([...readDataFile(q, { model }).values], [5, 6, 7, 8]);
  const r = file('f.tsv', '1\t5\t6\n0\t7\t8\n');
  const withLabel = readDataFile(r, { model });
  assert.deepEqual([...withLabel.values], [5, 6, 7, 8]);
  assert.deepEqual([...withLabel.labels], [1, 0]);
});

test('errors name the file, line and column', () => {
  const p = file('g.tsv', 'a\tb\n1\t2\n1\tx2\n');
  assert.throws(
    () => readDataFile(p, { header: true }),
    (e: Error) =>
      e instanceof InputError && e.message.startsWith(`${p}, line 3, column b: "x2" is not a number`),
  );
  const q = file('h.tsv', '1\t2\n3\t4\n5\t6\t7\n');
  assert.throws(() => readDataFile(q), /unknown data format/);
  const r = file('i.svm', '1 0:1\n0 1:1\n');
  writeFileSync(`${r}.query`, '1\n2\n');
  assert.throws(() => readDataFile(r), /query sizes add up to 3 rows but .* has 2/);
  const s = file('j.tsv', 'a\tb\n1\t2\n3\t4\n');
  assert.throws(
    () => readDataFile(s, { header: true, labelColumn: 'name:z' }),
    (e: Error) => e instanceof UsageError && /"z"/.test(e.message),
  );
  assert.throws(() => readDataFile(s, { header: true, categoricalFeature: 'name:q' }), /"q"/);
  assert.throws(() => readDataFile(join(dir, 'missing.tsv')), /cannot read/);
  const w = file('k.tsv', '1\t2\n0\t4\n');
  writeFileSync(`${w}.weight`, '1\n2\n');
  assert.throws(() => readDataFile(w), /weights are not supported/);
});

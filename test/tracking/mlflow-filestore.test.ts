/**
 * The file store export against real MLflow-written runs (../shared/fixtures/mlflow beside the repository:
 * one folder per MLflow version): each fixture experiment and run is written again from its values, and
 * every file must come out byte for byte the same.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';
import type { RunMetric, RunStatus } from '../../src/store/store.js';
import {
  type ExportRun,
  experimentMetaYaml,
  fileUri,
  type MlflowFormat,
  metricFileText,
  RUN_STATUS_CODES,
  runMetaYaml,
  writeRun,
} from '../../src/tracking/mlflow-filestore.js';
import { pythonFloat } from '../../src/tracking/python-float.js';
import { readYamlMapping, scalarStyle, yamlMapping } from '../../src/tracking/pyyaml.js';
import { tempDir } from '../helpers/cli.js';
import { repoRoot } from '../ranking/gbdt/fixtures.js';

const FIXTURES = resolve(repoRoot, '..', 'shared', 'fixtures', 'mlflow');
const present = existsSync(FIXTURES);
// absent on a machine without ../shared: skipped, except under CI, where it must be there
const skip = present || process.env.CI ? false : `MLflow fixtures absent (${FIXTURES})`;
const versions = present
  ? readdirSync(FIXTURES).filter((d) => statSync(join(FIXTURES, d)).isDirectory())
  : ['mlflow-1.x', 'mlflow-2.22.0'];
const out = tempDir('reco-mlruns-');

/** Every file below `dir` (relative paths, sorted), `artifacts/` left out. */
function filesBelow(dir: string, top = dir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => {
      const path = join(dir, d.name);
      if (d.isDirectory()) return d.name === 'artifacts' && dir === top ? [] : filesBelow(path, top);
      return [relative(top, path)];
    })
    .sort();
}

const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const entries = (dir: string) =>
  filesBelow(dir).map((key) => ({ key, value: readFileSync(join(dir, key), 'utf8') }));

/** A fixture run's values, read from its files. */
function readRun(dir: string): ExportRun {
  const meta = readYamlMapping(readFileSync(join(dir, 'meta.yaml'), 'utf8'));
  const code = Number(meta.get('status'));
  const status = (Object.keys(RUN_STATUS_CODES) as RunStatus[]).find((s) => RUN_STATUS_CODES[s] === code)!;
  const tags = entries(join(dir, 'tags'));
  const metrics: RunMetric[] = entries(join(dir, 'metrics')).flatMap(({ key, value }) =>
    value
      .trimEnd()
      .split('\n')
      .map((line) => {
        const [timestamp, v, step] = line.split(' ');
        return { key, value: Number(v), timestamp: Number(timestamp), step: Number(step ?? 0) };
      }),
  );
  return {
    id: str(meta.get('run_id')),
    name: str(meta.get('run_name') ?? tags.find((t) => t.key === 'mlflow.runName')?.value),
    status,
    startTime: Number(meta.get('start_time')),
    endTime: meta.get('end_time') === null ? null : Number(meta.get('end_time')),
    experimentId: str(meta.get('experiment_id')),
    artifactUri: str(meta.get('artifact_uri')),
    userId: str(meta.get('user_id')),
    params: entries(join(dir, 'params')),
    tags,
    metrics,
    artifacts: [],
  };
}

/** Same bytes, reported line by line when not. */
function sameText(ours: string, theirs: string, what: string): void {
  assert.deepEqual(ours.split('\n'), theirs.split('\n'), `${what}: line by line`);
  assert.equal(ours, theirs, `${what}: byte for byte`);
}

for (const version of versions) {
  const format: MlflowFormat = version.startsWith('mlflow-1') ? 1 : 2;
  const root = join(FIXTURES, version, 'mlruns');
  describe(`MLflow file store as ${version} writes it`, { skip }, () => {
    const experiments = present
      ? [
          ...readdirSync(root).filter((d) => d !== '.trash'),
          ...(existsSync(join(root, '.trash')) ? readdirSync(join(root, '.trash')) : []).map((d) =>
            join('.trash', d),
          ),
        ].filter((d) => existsSync(join(root, d, 'meta.yaml')))
      : [];

    test('experiment meta.yaml: the same keys, order, quoting and bytes', () => {
      assert.ok(experiments.length > 0);
      for (const e of experiments) {
        const file = readFileSync(join(root, e, 'meta.yaml'), 'utf8');
        const m = readYamlMapping(file);
        const keys = ['artifact_location', 'experiment_id', 'lifecycle_stage', 'name'];
        if (format === 2) keys.splice(1, 0, 'creation_time') && keys.splice(3, 0, 'last_update_time');
        assert.deepEqual([...m.keys()], keys, `${e}: keys in order`);
        const ours = experimentMetaYaml(
          {
            id: str(m.get('experiment_id')),
            name: str(m.get('name')),
            artifactLocation: str(m.get('artifact_location')),
            creationTime: Number(m.get('creation_time')),
            lastUpdateTime: Number(m.get('last_update_time')),
            lifecycleStage: m.get('lifecycle_stage') as 'active',
          },
          format,
        );
        sameText(ours, file, `${e}/meta.yaml`);
      }
    });

    test('every run written again from its values: meta.yaml, metrics, params and tags byte for byte', () => {
      const runs = experiments.flatMap((e) =>
        readdirSync(join(root, e))
          .filter((d) => /^[0-9a-f]{32}$/.test(d))
          .map((d) => join(root, e, d)),
      );
      assert.ok(runs.length > 0);
      for (const dir of runs) {
        const run = readRun(dir);
        const written = writeRun(join(out, version), run, format);
        const theirs = filesBelow(dir);
        assert.deepEqual(filesBelow(written), theirs, `${run.id}: the same files`);
        for (const f of theirs)
          sameText(
            readFileSync(join(written, f), 'utf8'),
            readFileSync(join(dir, f), 'utf8'),
            `${run.id}/${f}`,
          );
        // field by field, as MLflow reads them back
        const meta = readYamlMapping(runMetaYaml(run, format));
        assert.equal(meta.get('status'), RUN_STATUS_CODES[run.status]);
        assert.equal(meta.get('experiment_id'), run.experimentId, 'a quoted string, not a number');
        assert.equal(meta.has('run_name'), format === 2);
        assert.equal(meta.get('name'), format === 1 ? '' : undefined);
        for (const p of run.params) assert.ok(!p.value.endsWith('\n'), 'params have no trailing newline');
      }
    });
  });
}

test("metric values are written as Python's str of a float", () => {
  const cases: [number, string][] = [
    [0.1, '0.1'],
    [1, '1.0'],
    [1e-5, '1e-05'],
    [1e-4, '0.0001'],
    [0.0001234, '0.0001234'],
    [1e16, '1e+16'],
    [1e15, '1000000000000000.0'],
    [1234567890123456, '1234567890123456.0'],
    [12345678901234568, '1.2345678901234568e+16'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [-0, '-0.0'],
    [0, '0.0'],
    [123456789.123, '123456789.123'],
    [-2.5, '-2.5'],
    [0.24127270524006605, '0.24127270524006605'],
    [1e22, '1e+22'],
    [-1e-7, '-1e-07'],
    [9999999999999998, '9999999999999998.0'],
    [Number.POSITIVE_INFINITY, 'inf'],
    [Number.NEGATIVE_INFINITY, '-inf'],
    [Number.NaN, 'nan'],
  ];
  for (const [x, want] of cases) assert.equal(pythonFloat(x), want, String(x));
  assert.equal(
    metricFileText([
      { key: 'm', value: 1, timestamp: 5, step: 0 },
      { key: 'm', value: 0.5, timestamp: 6, step: 2 },
    ]),
    '5 1.0 0\n6 0.5 2\n',
  );
});

test("strings are quoted as PyYAML's safe dumper quotes them", () => {
  // yaml.dump({'k': s}, default_flow_style=False, allow_unicode=True, Dumper=CSafeDumper), PyYAML 6.0.3
  const cases: [string, string][] = [
    ['', "k: ''"],
    ['0', "k: '0'"],
    ['007', "k: '007'"],
    ['null', "k: 'null'"],
    ['~', "k: '~'"],
    ['yes', "k: 'yes'"],
    ['No', "k: 'No'"],
    ['wise-roo-476', 'k: wise-roo-476'],
    ['file:///a b/c', 'k: file:///a b/c'],
    ['2026-01-01', "k: '2026-01-01'"],
    ['2026-01-01 10:00:00', "k: '2026-01-01 10:00:00'"],
    ['a: b', "k: 'a: b'"],
    ["it's", "k: it's"],
    ["'x", "k: '''x'"],
    ['#x', "k: '#x'"],
    ['x #y', "k: 'x #y'"],
    ['x# y', 'k: x# y'],
    ['- x', "k: '- x'"],
    ['-x', 'k: -x'],
    ['tab\tx', 'k: "tab\\tx"'],
    ['é ü', 'k: é ü'],
    ['1e5', 'k: 1e5'],
    ['1.0', "k: '1.0'"],
    ['.5', "k: '.5'"],
    ['1_000', "k: '1_000'"],
    ['0x1F', "k: '0x1F'"],
    ['12:30', "k: '12:30'"],
    ['<<', "k: '<<'"],
    ['=', "k: '='"],
    ['? x', "k: '? x'"],
    ['?x', 'k: ?x'],
    [':x', 'k: :x'],
    ['x:', "k: 'x:'"],
    ['a ', "k: 'a '"],
    [' a', "k: ' a'"],
    ['---x', "k: '---x'"],
    ['x,y', 'k: x,y'],
    ['[x]', "k: '[x]'"],
    ['a"b', 'k: a"b'],
    ['"a', `k: '"a'`],
    ['@x', "k: '@x'"],
    ['true1', 'k: true1'],
    ['.inf', "k: '.inf'"],
    ['+1', "k: '+1'"],
    ['x\u00a0y', 'k: x\u00a0y'],
    ['\ufeffx', 'k: "\\uFEFFx"'],
    ['x '.repeat(50), `k: '${'x '.repeat(39).trimEnd()}\n  ${'x '.repeat(11)}'`],
    [`${'word '.repeat(20)}end`, `k: ${'word '.repeat(16).trimEnd()}\n  ${'word '.repeat(4)}end`],
  ];
  for (const [s, want] of cases) {
    assert.equal(yamlMapping([['k', s]]), `${want}\n`, JSON.stringify(s));
    assert.equal(readYamlMapping(`${want}\n`).get('k'), s, `read back: ${JSON.stringify(s)}`);
  }
  assert.throws(() => scalarStyle('two\nlines'), /multi-line/);
});

test("long values fold as PyYAML folds them (the fixture MLmodel's signature)", { skip }, () => {
  const mlmodel = readFileSync(
    join(FIXTURES, 'mlflow-2.22.0/mlruns/0/0d8653353e3e43beb89442a8bca1a94d/artifacts/model/MLmodel'),
    'utf8',
  );
  const block = mlmodel.slice(mlmodel.indexOf('signature:\n') + 'signature:\n'.length);
  const lines = block.split('\n');
  const end = lines.findIndex((l) => !l.startsWith('  '));
  const text = `${lines.slice(0, end).join('\n')}\n`;
  // the values, unfolded: a line break inside a quoted scalar reads back as one space
  const inputs = text
    .slice(text.indexOf("inputs: '") + 9, text.indexOf("'\n  outputs"))
    .replace(/\n {4}/g, ' ');
  const outputs = JSON.stringify([{ type: 'double', required: true }])
    .replaceAll(',', ', ')
    .replaceAll(':', ': ');
  const ours = yamlMapping(
    [
      ['inputs', inputs],
      ['outputs', outputs],
      ['params', null],
    ],
    1,
  );
  sameText(ours, text, 'signature');
});

test('file URIs percent-encode as pathlib does', () => {
  assert.equal(fileUri('/mnt/c/Users/Louis Owen/x'), 'file:///mnt/c/Users/Louis%20Owen/x');
  assert.equal(fileUri('/a/é+b'), 'file:///a/%C3%A9%2Bb');
});

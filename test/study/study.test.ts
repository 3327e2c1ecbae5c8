import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { createModel } from '../../src/models/factory.js';
import { affinity, pairNormal, tasteSpread } from '../../src/simulation/oracle.js';
import { resolveParams } from '../../src/simulation/params.js';
import { openStore } from '../../src/store/open.js';
import { parseGrid } from '../../src/study/grid.js';
import { summarize, writeReport } from '../../src/study/report.js';
import { runStudy } from '../../src/study/run-study.js';
import { meanInterval, tQuantile975 } from '../../src/study/stats.js';
import { findStudy } from '../../src/study/studies.js';
import { lineChartSvg, niceTicks } from '../../src/study/svg.js';
import { logBefore, worldData } from '../../src/study/world-log.js';
import { tempDir } from '../helpers/cli.js';

const dir = tempDir('reco-study-');

test('t-interval: mean and half-width over seeds', () => {
  const i = meanInterval([1, 2, 3]);
  assert.equal(i.mean, 2);
  // sd 1, n 3, t(2) = 4.303
  assert.ok(Math.abs(i.half - 4.303 / Math.sqrt(3)) < 1e-9);
  assert.equal(i.n, 3);
  assert.ok(Number.isNaN(meanInterval([5]).half));
  assert.equal(meanInterval([Number.NaN, 4, 6]).mean, 5, 'NaN values are left out');
  assert.equal(tQuantile975(1), 12.706);
  assert.equal(tQuantile975(1000), 1.96);
});

test('grid: levels over world parameters, the product of several; bad names and values refused', () => {
  const levels = parseGrid(['tasteShare=1,0.5', 'affinityScale=3,6'])!;
  assert.deepEqual(
    levels.map((l) => l.label),
    [
      'tasteShare=1, affinityScale=3',
      'tasteShare=1, affinityScale=6',
      'tasteShare=0.5, affinityScale=3',
      'tasteShare=0.5, affinityScale=6',
    ],
  );
  assert.deepEqual(levels[3]!.world, { tasteShare: 0.5, affinityScale: 6 });
  assert.equal(parseGrid([]), undefined);
  assert.throws(
    () => parseGrid(['nope=1']),
    (e: Error) => e instanceof UsageError && /unknown world parameter "nope"/.test(e.message),
  );
  assert.throws(() => parseGrid(['__proto__=1']), UsageError);
  assert.throws(() => parseGrid(['tasteShare=x']), /cannot read the value "x" of tasteShare/);
  assert.throws(() => parseGrid(['ratingsOnly=1']), /ratingsOnly takes a boolean/);
  assert.throws(() => parseGrid(['tasteShare=1,']), /one or more values/);
});

test('SVG chart: every text escaped, ticks cover the data', () => {
  const svg = lineChartSvg({
    title: 'a <b> & "c"',
    xLabel: 'x',
    yLabel: 'y',
    x: ['<1>', '2'],
    series: [
      {
        name: '<script>alert(1)</script>',
        points: [
          { mean: 0.2, half: 0.05 },
          { mean: 0.8, half: Number.NaN },
        ],
      },
    ],
  });
  assert.ok(!svg.includes('<script>'));
  assert.ok(!svg.includes('<b>'));
  assert.ok(svg.includes('&#60;script&#62;'));
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  const ticks = niceTicks(0.15, 0.8);
  assert.ok(ticks[0]! <= 0.15 && ticks[ticks.length - 1]! >= 0.8);
});

test('tasteShare: 1 leaves the affinity as it was; below 1 it mixes in a fixed per-pair term of the same spread', () => {
  const base = { users: 60, items: 40, events: 3000, seed: 4 };
  const a = worldData(resolveParams(undefined, base));
  const b = worldData(resolveParams(undefined, { ...base, tasteShare: 0.3 }));
  const t = a.world.params.startMs;
  const spread = tasteSpread(b.world);
  assert.ok(spread > 0);
  assert.equal(pairNormal(b.world, 3, 5), pairNormal(b.world, 3, 5), 'fixed per pair');
  assert.notEqual(pairNormal(b.world, 3, 5), pairNormal(b.world, 5, 3));
  // same factors (the world draws them before the parameter is read), so the parts add up exactly
  const scale = b.world.params.affinityScale;
  const want =
    Math.sqrt(0.3) * affinity(a.world, 3, 5, t) + Math.sqrt(0.7) * scale * spread * pairNormal(b.world, 3, 5);
  assert.ok(Math.abs(affinity(b.world, 3, 5, t) - want) < 1e-9);
  // the per-pair term is roughly standard normal
  let s = 0;
  let s2 = 0;
  for (let u = 0; u < 60; u++)
    for (let i = 0; i < 40; i++) {
      const z = pairNormal(b.world, u, i);
      s += z;
      s2 += z * z;
    }
  assert.ok(Math.abs(s / 2400) < 0.1 && Math.abs(s2 / 2400 - 1) < 0.15);
  assert.throws(() => resolveParams(undefined, { ...base, tasteShare: 1.5 }), /tasteShare must be in 0..1/);
});

test('logBefore: the events before a time, as a log', () => {
  const { log } = worldData(resolveParams(undefined, { users: 30, items: 20, events: 600, seed: 2 }));
  const mid = log.timestamp[300]!;
  const part = logBefore(log, mid);
  assert.ok(part.length > 0 && part.length <= 300);
  assert.ok(part.timestamp[part.length - 1]! < mid);
  assert.ok(part.length === log.length || log.timestamp[part.length]! >= mid);
});

test('a study (two cells at once, in workers): every cell a run of kind study, a report with a table and a chart per metric', async () => {
  const store = await openStore(join(dir, 'study.db'));
  try {
    const def = findStudy('noise')!;
    const out = join(dir, 'noise');
    const done: number[] = [];
    const result = await runStudy(
      { ...def, base: { users: 80, items: 60, events: 3000, ratingsOnly: true } },
      {
        seeds: 2,
        levels: parseGrid(['tasteShare=1,0.3'])!,
        models: ['popularity', 'itemknn'],
        create: createModel,
        parallel: 2,
        store,
        mirror: null,
        onCellDone: (n) => done.push(n),
      },
    );
    assert.deepEqual(done, [1, 2, 3, 4]);
    // two cells at once, each in a worker thread; the cells in grid order
    assert.deepEqual(
      result.cells.map((c) => `${c.level}/${c.seed}`),
      ['tasteShare=1/1', 'tasteShare=1/2', 'tasteShare=0.3/1', 'tasteShare=0.3/2'],
    );
    const runs = await store.listRuns({ kind: 'study' });
    assert.equal(runs.length, 4);
    assert.ok(runs.every((r) => r.status === 'FINISHED'));
    const run = (await store.getRun(result.cells[0]!.runId))!;
    const param = (k: string) => run.params.find((p) => p.key === k)?.value;
    assert.equal(param('study'), 'noise');
    assert.equal(param('study.level'), 'tasteShare=1');
    assert.equal(param('world.tasteShare'), '1');
    assert.equal(param('world.seed'), '1');
    const metric = (k: string) => run.metrics.find((m) => m.key === k)?.value;
    for (const k of ['popularity.ndcg_frac', 'itemknn.auc_frac', 'oracle.ndcg', 'oracle.auc'])
      assert.ok(Number.isFinite(metric(k)), k);
    // the oracle is the ceiling of NDCG on these worlds
    assert.ok(metric('itemknn.ndcg_frac')! < 1);
    const summary = summarize(result);
    assert.equal(summary.get('itemknn')!.get('ndcg_frac')!.get('tasteShare=0.3')!.n, 2);
    const report = writeReport(out, def, result, 'reco study noise --seeds 2');
    for (const f of ['README.md', 'results.json', 'ndcg_frac.svg', 'auc_frac.svg'])
      assert.ok(existsSync(join(out, f)), f);
    const md = readFileSync(join(out, 'README.md'), 'utf8');
    assert.match(md, /\| itemknn \| [0-9.]+ ± [0-9.]+ \| [0-9.]+ ± [0-9.]+ \|/);
    assert.match(md, /!\[NDCG@10 as a fraction of the oracle\]\(ndcg_frac\.svg\)/);
    assert.equal(report.markdown, md);
  } finally {
    await store.close();
  }
});

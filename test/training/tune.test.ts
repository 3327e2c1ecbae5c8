import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Rng } from '../../src/core/random.js';
import { interactionWeights } from '../../src/data/interactions.js';
import { MIN_GAIN, tune, withTuned } from '../../src/training/tune.js';
import { formatTuning } from '../../src/training/tune-report.js';
import type { EventLog } from '../../src/types.js';
import { simulatedFitData } from '../helpers/world.js';

const world = () => simulatedFitData({ users: 150, items: 120, events: 6000, dim: 8, genres: 6, seed: 3 });

describe('tune', () => {
  test('each choice is the default or a tried value that beats it by MIN_GAIN; only changed values are returned', async () => {
    const { log, items } = world();
    const r = await tune(log, items, {
      budgetSeconds: 600,
      models: ['ease', 'itemknn', 'als'],
      fixed: { als: { factors: 8, iterations: 3 } },
      weights: interactionWeights(),
    });
    const targets = r.report.choices.map((c) => c.target);
    for (const t of ['ease.lambda', 'itemknn.neighbours', 'als.alpha', 'als.regularization'])
      assert.ok(targets.includes(t), `${t} tuned`);
    for (const c of r.report.choices) {
      assert.equal(c.skipped, 0);
      assert.equal(c.trials[0]!.value, c.default);
      assert.equal(c.defaultNdcg, c.trials[0]!.ndcg);
      assert.equal(new Set(c.trials.map((t) => t.value)).size, c.trials.length);
      if (c.chosen !== c.default) {
        const best = c.trials.find((t) => t.value === c.chosen)!;
        assert.ok(best.ndcg >= c.defaultNdcg + MIN_GAIN, `${c.target}: ${best.ndcg} vs ${c.defaultNdcg}`);
        assert.ok(c.trials.every((t) => t.ndcg <= best.ndcg));
      }
      const [model, param] = c.target.split('.') as [string, string];
      if (model === 'weights') continue;
      const got = (r.params as Record<string, Record<string, unknown> | undefined>)[model]?.[param];
      assert.equal(got, c.chosen === c.default ? undefined : c.chosen, c.target);
    }
    // EASE's lambda: the default, x 0.5 and x 2, then one step further out only where one of them won
    const lambda = r.report.choices.find((c) => c.target === 'ease.lambda')!;
    const [d, half, twice, ...rest] = lambda.trials.map((t) => t.value as number);
    assert.deepEqual([half, twice], [d! / 2, d! * 2]);
    assert.ok(rest.length <= 1);
    const firstThree = lambda.trials.slice(0, 3);
    const lead = firstThree.reduce((a, t) =>
      t.ndcg > Math.max(a.ndcg, firstThree[0]!.ndcg + MIN_GAIN) ? t : a,
    );
    if (lead.value === d) assert.equal(rest.length, 0);
    else assert.deepEqual(rest, [lead.value === half ? d! / 4 : d! * 4]);
    const table = formatTuning(r.report).join('\n');
    assert.match(table, /ease\.lambda/);
    assert.match(table, /NDCG@10 on \d+ held-out users/);
  });

  test('a parameter given by the user is not tuned, nor a model no trained model uses', async () => {
    const { log, items } = world();
    const r = await tune(log, items, {
      budgetSeconds: 600,
      models: ['ease'],
      fixed: { ease: { lambda: 50 } },
      weights: interactionWeights(),
    });
    const targets = r.report.choices.map((c) => c.target);
    assert.ok(!targets.includes('ease.lambda'));
    assert.ok(!targets.some((t) => t.startsWith('als.') || t.startsWith('itemknn.')));
    assert.equal(r.params.ease, undefined);
  });

  test('models that use no tuned model: nothing tried', async () => {
    const { log, items } = world();
    const r = await tune(log, items, {
      budgetSeconds: 60,
      models: ['popularity'],
      fixed: {},
      weights: interactionWeights(),
    });
    assert.deepEqual(r.report.choices, []);
    assert.deepEqual(r.params, {});
  });

  test('with no budget nothing is tried and the defaults stay', async () => {
    const { log, items } = world();
    const r = await tune(log, items, {
      budgetSeconds: 0,
      models: ['ease'],
      fixed: {},
      weights: interactionWeights(),
    });
    const lambda = r.report.choices.find((c) => c.target === 'ease.lambda')!;
    assert.equal(lambda.chosen, lambda.default);
    assert.equal(lambda.trials.length, 0);
    assert.ok(lambda.skipped >= 3);
    assert.deepEqual(r.params, {});
  });

  test('heavy-tailed counts declared as plain counts: the weighting moves away from count', async () => {
    const { log, items } = world();
    // every event becomes a 'plays' event whose value is Pareto noise up to 1e5, declared as a count
    const rng = new Rng(9);
    const plays: EventLog = {
      ...log,
      typeNames: ['plays'],
      type: new Uint8Array(log.length),
      value: Float32Array.from({ length: log.length }, () =>
        Math.min(1e5, Math.ceil(rng.floatOpen() ** -1.5)),
      ),
    };
    const weights = interactionWeights([['plays', { weight: 1, value: 'count' }]]);
    const r = await tune(plays, items, { budgetSeconds: 600, models: ['ease'], fixed: {}, weights });
    const c = r.report.choices.find((x) => x.target === 'weights.plays')!;
    assert.equal(c.default, 'count');
    assert.notEqual(c.chosen, 'count');
    assert.equal(r.weights.types.get('plays')?.value, c.chosen);
    assert.ok(c.ndcg > c.defaultNdcg + MIN_GAIN);
  });
});

describe('withTuned', () => {
  test("gives the tuned values to the model, the hybrid's components and the ranker's sources; the user's win", () => {
    const p = withTuned(
      { als: { factors: 8 }, ranked: { sourceParams: { ease: { lambda: 7 } } } },
      { ease: { lambda: 250 }, als: { alpha: 1 }, itemknn: { neighbours: 50 } },
    );
    assert.deepEqual(p.ease, { lambda: 250 });
    assert.deepEqual(p.als, { alpha: 1, factors: 8 });
    assert.deepEqual(p.hybrid, { componentParams: { als: { alpha: 1 }, itemknn: { neighbours: 50 } } });
    const sources = p.ranked!['sourceParams'] as Record<string, unknown>;
    assert.deepEqual(sources['ease'], { lambda: 7 });
    assert.deepEqual(sources['itemknn'], { neighbours: 50 });
    assert.deepEqual(sources['hybrid'], {
      componentParams: { als: { alpha: 1 }, itemknn: { neighbours: 50 } },
    });
  });

  test('a hybrid without ALS among its components gets no ALS parameters; nothing tuned, nothing added', () => {
    const p = withTuned({ hybrid: { components: { itemknn: 1 } } }, { als: { alpha: 1 } });
    assert.deepEqual(p.hybrid, { components: { itemknn: 1 }, componentParams: {} });
    assert.deepEqual(withTuned({ ease: { lambda: 3 } }, {}), { ease: { lambda: 3 } });
  });
});

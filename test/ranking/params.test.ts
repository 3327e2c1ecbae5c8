import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelViewsOf } from '../../src/ranking/params.js';
import { RankedRecommender } from '../../src/ranking/ranker.js';

test('ranked parameters: the JSON ones parse to typed values', () => {
  const p = new RankedRecommender({
    sources: { ease: 40, popularity: 20 },
    sourceParams: { ease: { lambda: 300 } },
    gbdt: { feature_fraction: 0.8 },
    exclude: ['u_events'],
  }).params;
  assert.deepEqual(p.sources, [
    { name: 'ease', count: 40 },
    { name: 'popularity', count: 20 },
  ]);
  assert.deepEqual(p.sourceParams, { ease: { lambda: 300 } });
  assert.deepEqual(p.gbdt, { feature_fraction: 0.8 });
  assert.deepEqual(p.catalogueGbdt, { learning_rate: 0.1 });
  assert.deepEqual(p.exclude, ['u_events']);
  assert.deepEqual(
    new RankedRecommender().params.sources.map((s) => s.name),
    ['hybrid', 'ease', 'itemknn', 'popularity'],
  );
});

test('ranked parameters: bad values are refused with a UsageError naming the parameter', () => {
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ sources: 'ease' }, 'sources', /must be an object of model name -> candidates/],
    [{ sources: {} }, 'sources', /needs at least one source/],
    [{ sources: { ranked: 5 } }, 'sources', /cannot use 'ranked' as its own source/],
    [{ sources: { nope: 5 } }, 'sources', /names an unknown model 'nope'/],
    [{ sources: { ease: 2.5 } }, 'sources', /the candidates from 'ease' must be a positive integer, got 2.5/],
    [{ sourceParams: [] }, 'sourceParams', /must be an object of model name -> parameters/],
    [{ sourceParams: { ease: 3 } }, 'sourceParams', /must hold an object of parameters for 'ease', got 3/],
    [{ gbdt: 'x' }, 'gbdt', /must be an object of LightGBM parameters/],
    [
      { catalogueGbdt: { learning_rate: [1] } },
      'catalogueGbdt',
      /must give 'learning_rate' a string, number or boolean/,
    ],
    [{ exclude: 'u_events' }, 'exclude', /must be an array of feature names/],
    [{ exclude: ['u_events', 3] }, 'exclude', /must be an array of feature names/],
    [
      { labelSplit: 'sideways' },
      'labelSplit',
      /must be one of next, missing, both \(or the older temporal, random\)/,
    ],
  ];
  for (const [params, name, message] of cases)
    assert.throws(
      () => new RankedRecommender(params),
      (e: Error) =>
        e.name === 'UsageError' &&
        e.message.startsWith(`ranked: parameter '${name}' `) &&
        message.test(e.message),
      JSON.stringify(params),
    );
});

test("ranked parameters: labelSplit takes the views' names next and missing, and their older names temporal and random", () => {
  for (const [given, views] of [
    ['both', ['next', 'missing']],
    ['next', ['next']],
    ['missing', ['missing']],
    ['temporal', ['next']],
    ['random', ['missing']],
  ] as const) {
    const p = new RankedRecommender({ labelSplit: given }).params;
    assert.deepEqual(labelViewsOf(p), views, given);
  }
  assert.equal(new RankedRecommender({ labelSplit: 'temporal' }).params.labelSplit, 'next');
  assert.throws(
    () => new RankedRecommender({ labelSplit: 'both', objective: 'lambdarank' }),
    /labelSplit 'both' .* needs objective 'binary'/,
  );
  // lambdarank with one view, named either way
  assert.equal(
    new RankedRecommender({ labelSplit: 'random', objective: 'lambdarank' }).params.labelSplit,
    'missing',
  );
});

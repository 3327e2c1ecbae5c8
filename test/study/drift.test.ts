import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildInteractions, interactionWeights } from '../../src/data/interactions.js';
import { DEFAULT_PEOPLE } from '../../src/loop/params.js';
import { createModel } from '../../src/models/factory.js';
import { resolveParams } from '../../src/simulation/params.js';
import { worldItems } from '../../src/simulation/simulate.js';
import { midnightAfter, studyLoop } from '../../src/study/closed-loop.js';
import { driftCell, driftStudy } from '../../src/study/drift.js';
import { logBefore, worldData } from '../../src/study/world-log.js';
import type { ModelFactory } from '../../src/training/fit-models.js';

/** A drift world, small: 120 users, 80 items over the study's 8 weeks. */
const small = (seed: number, driftScale: number) =>
  resolveParams(undefined, { ...driftStudy.base, users: 120, items: 80, events: 4000, driftScale, seed });

test('the closed loop of a study retrains at the asked interval on the events the loop produced', async () => {
  const params = small(3, 1);
  const { world, log } = worldData(params);
  const cut = midnightAfter((params.startMs + params.endMs) / 2);
  const history = logBefore(log, cut).length;
  const run = (retrainDays: number) =>
    studyLoop({
      world,
      log,
      cut,
      models: ['popularity', 'itemknn'],
      create: createModel,
      params: { itemknn: { neighbours: 10 } },
      arms: [{ name: 'knn', strategy: 'itemknn' }],
      users: 60,
      days: 7,
      k: 5,
      seed: 1,
      people: { ...DEFAULT_PEOPLE, sessionsPerDay: 2 },
      retrainDays,
    });
  const every3 = await run(3);
  assert.deepEqual(every3.retrainedAfter, [3, 6]);
  assert.equal(every3.trainedOn.length, 3);
  assert.equal(every3.trainedOn[0], history, 'the first bundle: the history before the cut');
  // each later bundle holds the history and the takes the loop posted until then
  assert.ok(every3.trainedOn[1]! > history && every3.trainedOn[2]! > every3.trainedOn[1]!);
  assert.equal(every3.loop.start, cut);
  assert.ok(every3.loop.takes > 0);
  assert.ok(every3.trainedOn[2]! - history <= every3.loop.takes, 'no more new events than takes');
  const never = await run(0);
  assert.deepEqual(never.retrainedAfter, []);
  assert.deepEqual(never.trainedOn, [history]);
});

test('drift cell: per model and interval the online CTR, its normalised score and regret', async () => {
  const params = small(2, 1);
  const notes: string[] = [];
  const values = await driftCell(
    {
      level: driftStudy.levels[2]!,
      seed: 2,
      params,
      models: ['popularity', 'ease'],
      create: createModel,
      note: (l) => notes.push(l),
    },
    { users: 60, days: 4, intervals: [2, 0], k: 5 },
  );
  const get = (series: string, metric: string) =>
    values.find((v) => v.series === series && v.metric === metric)?.value;
  assert.equal(get('bundle every 2 d', 'retrainings'), 1);
  assert.equal(get('bundle never retrained', 'retrainings'), 0);
  for (const series of ['popularity every 2 d', 'ease every 2 d', 'ease never retrained']) {
    const ctr = get(series, 'ctr');
    const regret = get(series, 'regret');
    const normalised = get(series, 'normalised');
    assert.ok(ctr !== undefined && ctr > 0, `${series}: CTR`);
    assert.ok(regret !== undefined && regret >= -1e-9, `${series}: regret`);
    assert.ok(normalised !== undefined && Number.isFinite(normalised), `${series}: normalised`);
  }
  assert.equal(notes.length, 3, 'the references and one line per interval');
  // CTR relative to the most frequent retraining, per model
  assert.equal(get('ease every 2 d', 'ctr_rel'), 1);
  const rel = get('ease never retrained', 'ctr_rel');
  assert.ok(
    rel !== undefined &&
      Math.abs(rel - get('ease never retrained', 'ctr')! / get('ease every 2 d', 'ctr')!) < 1e-12,
  );
});

test('the first bundle of a study loop takes a model already fitted on the history as it is', async () => {
  const params = small(4, 0.5);
  const { world, log } = worldData(params);
  const cut = midnightAfter((params.startMs + params.endMs) / 2);
  const fits: string[] = [];
  const create: ModelFactory = (name, p) => {
    const model = createModel(name, p);
    const fit = model.fit.bind(model);
    model.fit = (data) => {
      fits.push(name);
      return fit(data);
    };
    return model;
  };
  const history = logBefore(log, cut);
  const knn = createModel('itemknn', { neighbours: 10 });
  await knn.fit({
    interactions: buildInteractions(history, interactionWeights()),
    log: history,
    items: worldItems(world),
  });
  const run = await studyLoop({
    world,
    log,
    cut,
    models: ['popularity', 'itemknn'],
    create,
    params: { itemknn: { neighbours: 10 } },
    fitted: new Map([['itemknn', knn]]),
    arms: [{ name: 'knn', strategy: 'itemknn' }],
    users: 40,
    days: 4,
    k: 5,
    seed: 2,
    retrainDays: 2,
  });
  assert.deepEqual(run.retrainedAfter, [2]);
  // day 0: popularity fitted, item-kNN taken as given; day 2: both fitted
  assert.deepEqual(fits, ['popularity', 'popularity', 'itemknn']);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildInteractions } from '../../src/data/interactions.js';
import { PopularityRecommender } from '../../src/recommenders/popularity.js';
import { close, makeLog, pairsData, profile } from './helpers.js';

test('popularity counts users, excludes seen items unless asked, honours allowed', () => {
  const data = pairsData(
    [
      [0, 0],
      [1, 0],
      [2, 0],
      [0, 1],
      [1, 1],
      [2, 2],
    ],
    3,
    4,
  );
  const m = new PopularityRecommender();
  m.fit(data);
  assert.deepEqual([...m.scoreAll(profile([]))], [3, 2, 1, 0]);
  assert.deepEqual([...m.recommend(profile([0]), 2).items], [1, 2]);
  assert.deepEqual([...m.recommend(profile([0]), 2, { excludeSeen: false }).items], [0, 1]);
  assert.deepEqual([...m.recommend(profile([]), 5, { allowed: Uint8Array.of(0, 1, 0, 1) }).items], [1, 3]);
});

test('popularity time decay halves a contribution per half-life (by hand)', () => {
  const day = 86_400_000;
  const now = 100 * day;
  const log = makeLog(
    [
      [0, 0, 'click', 1, now],
      [1, 0, 'click', 1, now - 5 * day],
      [1, 0, 'click', 1, now - 1 * day], // user 1's last event on item 0 is 1 day old
      [2, 1, 'click', 1, now - 2 * day],
    ],
    3,
    2,
  );
  const m = new PopularityRecommender({ halfLifeDays: 1 });
  m.fit({ interactions: buildInteractions(log), log, items: [], now });
  const s = m.scoreAll(profile([]));
  close(s[0]!, 1 + 0.5);
  close(s[1]!, 0.25);
});

test('popularity per-genre lists', () => {
  const items = [
    { id: 'a', genres: ['Drama'] },
    { id: 'b', genres: ['Comedy', 'Drama'] },
    { id: 'c', genres: ['Comedy'] },
  ];
  const data = pairsData(
    [
      [0, 0],
      [0, 1],
      [1, 1],
      [0, 2],
      [1, 2],
      [2, 2],
    ],
    3,
    3,
    items,
  );
  const m = new PopularityRecommender();
  m.fit(data);
  assert.deepEqual([...m.topByGenre('Drama', 5).items], [1, 0]);
  assert.deepEqual([...m.topByGenre('Comedy', 1).items], [2]);
  assert.throws(() => m.topByGenre('Western', 3), /unknown genre 'Western'/);
  assert.throws(() => new PopularityRecommender({ halfLifeDays: -1 }), /halfLifeDays/);
});

test('popularity decay ignores log events whose pair is not in the interactions (the other side of a split)', () => {
  const day = 86_400_000;
  const log = makeLog(
    [
      [0, 0, 'click', 1, 10 * day],
      [1, 0, 'click', 1, 12 * day], // held out: not in the interactions below
    ],
    2,
    1,
  );
  const train = buildInteractions(log, undefined, { mask: Uint8Array.of(1, 0) });
  const m = new PopularityRecommender({ halfLifeDays: 2 });
  m.fit({ interactions: train, log, items: [] });
  // now = the last event among the training pairs (day 10): one fresh user.
  close(m.scoreAll(profile([]))[0]!, 1);
  m.fit({ interactions: train, log, items: [], now: 14 * day });
  close(m.scoreAll(profile([]))[0]!, 0.25);
});

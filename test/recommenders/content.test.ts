import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveParams } from '../../src/core/param-spec.js';
import { CONTENT_PARAMS, ContentRecommender, itemTokens } from '../../src/recommenders/content.js';
import { close, pairsData, profile } from './helpers.js';

// idf = ln(4 / df): g:a ln2, g:b g:c w:red w:moon ln4 = 2 ln2. v0 = (1, 2)/sqrt5 on (a, b); v1 = a;
// v2 = (1, 1, 1)/sqrt3 on (c, red, moon); v3 = 0.
const items = [
  { id: 'x', genres: ['A', 'B'] },
  { id: 'y', genres: ['A'] },
  { id: 'z', genres: ['C'], title: 'Red Moon' },
  { id: 'w' },
];
// Item 2 has no events at all: content must still reach it.
const data = pairsData(
  [
    [0, 0],
    [0, 1],
    [1, 1],
  ],
  2,
  4,
  items,
);

test('content TF-IDF cosine scores by hand', () => {
  const m = new ContentRecommender();
  m.fit(data);
  const s = m.scoreAll(profile([1]));
  close(s[0]!, 1 / Math.sqrt(5));
  assert.equal(s[2], 0);
  assert.equal(s[3], 0);
  close(m.scoreAll(profile([0, 2]))[1]!, 1 / Math.sqrt(10));
  // Onboarding genres only (a new user): the pseudo item is the unit vector on g:b.
  close(
    m.scoreAll({ items: new Int32Array(0), weights: new Float32Array(0), genres: ['b'] })[0]!,
    2 / Math.sqrt(5),
  );
  const cold = m.recommend({ items: new Int32Array(0), weights: new Float32Array(0), genres: ['C'] }, 1);
  assert.deepEqual([...cold.items], [2]);
  assert.deepEqual([...m.similarItems(0, 1).items], [1]);
  assert.deepEqual([...m.scoreAll(profile([]))], [0, 0, 0, 0]);
});

test('content tokens: genres, tags, title words, text attributes; minDf', () => {
  const p = resolveParams('content', CONTENT_PARAMS, { titleWeight: 2 });
  const toks = itemTokens(
    {
      id: 'q',
      title: 'The Big Sleep (1946)',
      genres: ['Film-Noir'],
      tags: ['Bogart'],
      attributes: {
        director: 'Howard Hawks',
        cast: ['Lauren Bacall'],
        colour: false,
        classic: true,
        year: 1946,
      },
    },
    p,
  );
  assert.deepEqual(toks, [
    ['g:film-noir', 1],
    ['t:bogart', 1],
    ['w:the', 2],
    ['w:big', 2],
    ['w:sleep', 2],
    ['w:1946', 2],
    ['a:director:howard', 1],
    ['a:director:hawks', 1],
    ['a:cast:lauren bacall', 1],
    ['a:classic', 1],
  ]);
  const m = new ContentRecommender({ minDf: 2 });
  m.fit(data);
  assert.deepEqual(m.itemVectors().features, ['g:a']);
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readLists, readUserItems, writeEvents, writeItems } from '../../bench/generalise/csv.js';
import { FORMATS, halfStars, PLAY_LAW, playCounts } from '../../bench/generalise/datasets.js';
import { heldOut, meanNdcg, ndcgOne } from '../../bench/generalise/score.js';
import { Rng } from '../../src/core/random.js';
import { importEventsFile, parseColumnSpec } from '../../src/data/import/events-file.js';
import { importItemsFile } from '../../src/data/import/items-file.js';
import { openStore } from '../../src/store/open.js';
import type { EventLog } from '../../src/types.js';

const dir = mkdtempSync(join(tmpdir(), 'reco-generalise-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const sets = (o: Record<string, string[]>) => new Map(Object.entries(o).map(([u, is]) => [u, new Set(is)]));

test('heldOut keeps the held-out items a user does not have on the train side', () => {
  const rel = heldOut(sets({ a: ['1', '2'], b: ['3'] }), sets({ a: ['2', '4'], b: ['3'], c: ['5'] }));
  assert.deepEqual([...rel.keys()], ['a', 'c']);
  assert.deepEqual([...rel.get('a')!], ['4']);
});

test('binary NDCG@k by hand, and users without a list score 0', () => {
  assert.equal(ndcgOne(['x', 'y'], new Set(['x']), 10), 1);
  // one hit at rank 2 of two relevant: (1/log2 3) / (1 + 1/log2 3)
  const second = 1 / Math.log2(3);
  assert.ok(Math.abs(ndcgOne(['z', 'x'], new Set(['x', 'w']), 10) - second / (1 + second)) < 1e-12);
  assert.equal(ndcgOne(['a', 'b', 'x'], new Set(['x']), 2), 0);
  const s = meanNdcg(sets({ u: ['x'], v: ['y'] }), new Map([['u', ['x']]]), 10);
  assert.deepEqual(s, { ndcg: 0.5, users: 2, missing: 1 });
});

test('half stars stay on the 0.5..5 half-star scale and move about 30% of ratings', () => {
  const rng = new Rng(3);
  const stars = Float32Array.from({ length: 20_000 }, () => 1 + Math.floor(rng.float() * 5));
  const half = halfStars(stars, 9);
  let moved = 0;
  for (let k = 0; k < half.length; k++) {
    assert.ok(half[k]! >= 0.5 && half[k]! <= 5 && Number.isInteger(half[k]! * 2));
    assert.ok(Math.abs(half[k]! - stars[k]!) <= 0.5);
    if (half[k] !== stars[k]) moved++;
  }
  // 5 stars never move up, 1 star always can move down: about 0.3 - 0.15 / 5 of all
  assert.ok(Math.abs(moved / half.length - 0.27) < 0.02, `moved ${moved / half.length}`);
});

test('play counts are whole, 1..cap, heavy-tailed and follow the affinity', () => {
  const rng = new Rng(4);
  const aff = Float64Array.from({ length: 100_000 }, () => rng.normal());
  const counts = playCounts(aff, 5);
  const sorted = Float32Array.from(counts).sort();
  assert.ok(sorted[0]! >= 1 && sorted.at(-1)! <= PLAY_LAW.cap);
  for (const c of counts) assert.ok(Number.isInteger(c));
  const median = sorted[sorted.length >> 1]!;
  assert.ok(median >= 5 && median <= 20, `median ${median}`);
  assert.ok(sorted.at(-1)! >= 20_000, `max ${sorted.at(-1)}`);
  // higher affinity, more plays: the mean log count of the top affinity half beats the bottom half's
  let hi = 0;
  let lo = 0;
  for (let k = 0; k < aff.length; k++)
    aff[k]! > 0 ? (hi += Math.log(counts[k]!)) : (lo += Math.log(counts[k]!));
  assert.ok(hi > lo * 1.3);
});

test("each format's file reads back through reco's importer with its import flags", async () => {
  const log: EventLog = {
    userIds: ['u1', 'u2'],
    itemIds: ['i1', 'i2'],
    typeNames: ['rating'],
    user: Int32Array.of(0, 1, 0),
    item: Int32Array.of(0, 0, 1),
    type: Uint8Array.of(0, 0, 0),
    value: Float32Array.of(3.5, 0.5, 12),
    timestamp: Float64Array.of(Date.UTC(2020, 0, 1), Date.UTC(2020, 0, 2), Date.UTC(2021, 5, 3)),
    length: 3,
  };
  for (const [name, format] of Object.entries(FORMATS)) {
    const file = join(dir, `${name}.csv`);
    writeEvents(file, log, format);
    const flag = (f: string) => {
      const k = format.importArgs.indexOf(f);
      return k >= 0 ? format.importArgs[k + 1] : undefined;
    };
    const columns = flag('--columns');
    const type = flag('--type') ?? 'rating';
    const store = await openStore(':memory:');
    await importEventsFile(store, file, {
      ...(columns ? { columns: parseColumnSpec(columns) } : {}),
      defaultType: type,
    });
    const back = await store.loadEventLog();
    assert.deepEqual(Array.from(back.value), format.valued ? Array.from(log.value) : [1, 1, 1], name);
    assert.deepEqual(Array.from(back.timestamp), Array.from(log.timestamp), name);
    assert.equal(back.typeNames[back.type[0]!], type, name);
    assert.deepEqual(
      [...readUserItems(file, format.header !== undefined)].map(([u, is]) => [u, [...is]]),
      [
        ['u1', ['i1', 'i2']],
        ['u2', ['i1']],
      ],
    );
    await store.close();
  }
  const itemsFile = join(dir, 'items.csv');
  writeItems(
    itemsFile,
    [
      {
        id: 'i1',
        title: 'Heat, "the" film (1995)',
        genres: ['Action', 'Crime'],
        createdAt: Date.UTC(1995, 0, 1),
      },
    ],
    'all',
  );
  const store = await openStore(':memory:');
  await importItemsFile(store, itemsFile);
  const [item] = await store.listItems();
  assert.equal(item!.title, 'Heat, "the" film (1995)');
  assert.deepEqual(item!.genres, ['Action', 'Crime']);
  await store.close();
});

test('readLists orders each user by rank', () => {
  const file = join(dir, 'recs.csv');
  writeFileSync(file, 'user,item,rank,score\na,x,2,0.5\nb,z,1,0.9\na,y,1,0.7\n');
  assert.deepEqual(readLists(file).get('a'), ['y', 'x']);
  assert.deepEqual(readLists(file).get('b'), ['z']);
});

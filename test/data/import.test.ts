import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { exportEventsCsv } from '../../src/data/export.js';
import { importEventsFile, parseColumnSpec } from '../../src/data/import/events-file.js';
import { importItemsFile } from '../../src/data/import/items-file.js';
import { importMovieLens } from '../../src/data/import/movielens.js';
import { InputError } from '../../src/errors.js';
import { openStore } from '../../src/store/open.js';
import { allEvents } from '../helpers/store-events.js';

const dir = mkdtempSync(join(tmpdir(), 'reco-import-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (name: string, content: string | Buffer) => {
  const p = join(dir, `${n++}-${name}`);
  writeFileSync(p, content);
  return p;
};
const freshStore = () => openStore(join(dir, `s${n++}.db`));

/** Asserts an InputError whose message names the given fragments (file, line, column ...). */
async function rejectsWith(p: Promise<unknown>, ...fragments: (string | RegExp)[]) {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof InputError, `expected InputError, got ${String(err)}`);
    for (const f of fragments) {
      if (typeof f === 'string') assert.ok(err.message.includes(f), `"${err.message}" should include "${f}"`);
      else assert.match(err.message, f);
    }
    return true;
  });
}

test('MovieLens 100K layout: latin-1 titles, genres from flags, users, ratings in seconds', async () => {
  const ml = join(dir, 'ml100k');
  mkdirSync(ml);
  writeFileSync(join(ml, 'u.genre'), 'unknown|0\nAction|1\nComedy|2\n\n');
  writeFileSync(
    join(ml, 'u.item'),
    Buffer.from(
      '1|Toy Story (1995)|01-Jan-1995||http://x|0|0|1\n2|Amélie (2001)|05-Oct-2001||http://y|0|1|1\n',
      'latin1',
    ),
  );
  writeFileSync(join(ml, 'u.user'), '1|24|M|technician|85711\n2|53|F|other|94043\n');
  writeFileSync(join(ml, 'u.data'), '1\t2\t5\t881250949\n2\t1\t3\t891717742\n1\t1\t4\t878887116\n');
  const store = await freshStore();
  const s = await importMovieLens(store, ml);
  assert.deepEqual([s.layout, s.users, s.items, s.ratings], ['100k', 2, 2, 3]);
  const amelie = (await store.getItem('2'))!;
  assert.equal(amelie.title, 'Amélie (2001)');
  assert.deepEqual(amelie.genres, ['Action', 'Comedy']);
  assert.equal(amelie.createdAt, Date.UTC(2001, 9, 5));
  assert.equal((await store.getUser('2'))?.attributes?.occupation, 'other');
  const log = await store.loadEventLog();
  assert.deepEqual(Array.from(log.timestamp), [878887116000, 881250949000, 891717742000]);
  assert.deepEqual(Array.from(log.value), [4, 5, 3]);
  await store.close();
});

test('MovieLens CSV layout: year from the title, |-genres, tags gathered onto items', async () => {
  const ml = join(dir, 'mlsmall');
  mkdirSync(ml);
  writeFileSync(
    join(ml, 'movies.csv'),
    'movieId,title,genres\n10,"Heat, The (1995)",Action|Crime\n11,Nothing,(no genres listed)\n',
  );
  writeFileSync(
    join(ml, 'ratings.csv'),
    'userId,movieId,rating,timestamp\n1,10,4.5,964982703\n1,11,3.0,964981247\n',
  );
  writeFileSync(
    join(ml, 'tags.csv'),
    'userId,movieId,tag,timestamp\n1,10,Heist,1445714994\n2,10,heist,1445714995\n',
  );
  const store = await freshStore();
  const s = await importMovieLens(store, ml);
  assert.deepEqual([s.layout, s.users, s.items, s.ratings, s.tags], ['csv', 1, 2, 2, 2]);
  const heat = (await store.getItem('10'))!;
  assert.equal(heat.title, 'Heat, The (1995)');
  assert.deepEqual(heat.genres, ['Action', 'Crime']);
  assert.deepEqual(heat.tags, ['heist']);
  assert.equal(heat.attributes?.year, 1995);
  assert.deepEqual((await store.getItem('11'))?.genres, []);
  await store.close();
});

test('a MovieLens rating for an unknown movie fails and imports nothing', async () => {
  const ml = join(dir, 'mlbad');
  mkdirSync(ml);
  writeFileSync(join(ml, 'movies.csv'), 'movieId,title,genres\n10,Heat (1995),Action\n');
  writeFileSync(
    join(ml, 'ratings.csv'),
    'userId,movieId,rating,timestamp\n1,10,4,964982703\n1,99,3,964981247\n',
  );
  const store = await freshStore();
  await rejectsWith(importMovieLens(store, ml), 'unknown item "99"');
  assert.deepEqual(await store.counts(), { users: 0, items: 0, events: 0 });
  await store.close();
});

test('events with a header: aliases, ISO and second timestamps, type column', async () => {
  const store = await freshStore();
  const p = file(
    'ev.csv',
    'user_id,movie_id,type,value,timestamp\nu1,"i,1",click,1,2026-11-26T10:00:00Z\nu2,i2,purchase,2.5,1764151200\n',
  );
  const s = await importEventsFile(store, p);
  assert.deepEqual([s.rows, s.users, s.items], [2, 2, 2]);
  const log = await store.loadEventLog();
  assert.equal(log.itemIds[log.item[1]!], 'i,1');
  assert.equal(log.typeNames[log.type[1]!], 'click');
  assert.equal(log.timestamp[1], Date.UTC(2026, 10, 26, 10));
  assert.equal(log.timestamp[0], 1764151200000);
  assert.equal(log.value[0], 2.5);
  await store.close();
});

test('a file of several batches: a fault in a later one names its line and imports nothing', async () => {
  const store = await freshStore();
  const rows = Array.from(
    { length: 25_000 },
    (_, k) => `u${k % 700},i${k % 300},${(k % 9) / 4},${1_000_000 + k}`,
  );
  const good = file('many.csv', `user,item,value,timestamp\n${rows.join('\n')}\n`);
  rows[23_456] = 'u1,i1,lots,5';
  const bad = file('many-bad.csv', `user,item,value,timestamp\n${rows.join('\n')}\n`);
  await rejectsWith(importEventsFile(store, bad), bad, 'line 23458', 'column value', 'not a number: "lots"');
  assert.deepEqual(await store.counts(), { users: 0, items: 0, events: 0 });
  const s = await importEventsFile(store, good);
  assert.deepEqual([s.rows, s.users, s.items], [25_000, 700, 300]);
  const log = await store.loadEventLog();
  assert.equal(log.length, 25_000);
  assert.equal(log.value[24_999], (24_999 % 9) / 4);
  assert.equal(log.timestamp[24_999], (1_000_000 + 24_999) * 1000);
  await store.close();
});

test('events without a header take --columns in any order; TSV is detected', async () => {
  const store = await freshStore();
  const p = file('ev.tsv', '5\t1000\tu7\ti3\n3\t2000\tu8\ti3\n');
  await importEventsFile(store, p, { columns: parseColumnSpec('rating,timestamp,user,item') });
  const log = await store.loadEventLog();
  assert.deepEqual(Array.from(log.value), [5, 3]);
  assert.deepEqual(Array.from(log.timestamp), [1_000_000, 2_000_000]);
  assert.equal(log.typeNames[log.type[0]!], 'rating');
  await store.close();
});

test('bad event files name the file, line and column, and import nothing', async () => {
  const store = await freshStore();
  const cases: [string, string | Buffer, (string | RegExp)[]][] = [
    [
      'rating.csv',
      'user,item,rating\nu1,i1,4\nu2,i2,great\n',
      ['line 3', 'column rating', 'not a number: "great"'],
    ],
    ['count.csv', 'user,item,rating\nu1,i1,4\nu2,i2\n', ['line 3', 'expected 3 fields, found 2']],
    ['quote.csv', 'user,item\nu1,i1\nu2,"i2\n', ['malformed CSV', /line \d/]],
    ['empty.csv', '', ['the file is empty']],
    ['header-only.csv', 'user,item\n', ['no events after the header']],
    ['noitem.csv', 'user,thing\nu1,x\n', ['line 1', 'no "item" column']],
    ['time.csv', 'user,item,timestamp\nu1,i1,yesterday\n', ['line 2', 'column timestamp', 'not a timestamp']],
    [
      'latin1.csv',
      Buffer.concat([Buffer.from('user,item\nu1,i1\nu2,caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
      ['line 3', 'not valid UTF-8'],
    ],
    ['blank.csv', 'user,item\nu1,\n', ['line 2', 'column item', 'empty value']],
  ];
  for (const [name, content, fragments] of cases) {
    const p = file(name, content);
    await rejectsWith(importEventsFile(store, p), p, ...fragments);
  }
  assert.deepEqual(await store.counts(), { users: 0, items: 0, events: 0 });
  await rejectsWith(importEventsFile(store, join(dir, 'missing.csv')), 'no such file');
  await store.close();
});

test('a plain file read from its bytes gives what csv-parse gives: the same events, ids and faults', async () => {
  // the same text with CRLF line ends goes through csv-parse (./delimited.ts), with LF ends it is read as bytes
  const many = Array.from(
    { length: 40_000 },
    (_, k) => `u${(k * 7) % 3001},i${k % 1499},v${k % 3},${k % 7}.25,${1e9 + k}`,
  );
  const texts: string[] = [
    `\uFEFFuser,item,type,value,timestamp\n${many.join('\n')}\n`,
    // white space around ids (one user), odd numbers, ISO dates and seconds, blank lines, no final newline
    'user,item,value,timestamp\n u1 ,i1,.5,2001-02-03T04:05:06Z\n\nu1,i2,1e2,981173106\n  \t\nu2,i1,-0,981173106.5\nu2,i3,+3,1700000000000',
    // a line longer than the reader's chunks (a value of 2.5 MB that reads as 1)
    `user,item,value\nu1,i1,1\nu2,i1,1.${'0'.repeat(2_500_000)}\nu3,i2,2\n`,
    // UTF-8 ids, a rating column (type "rating"), a column skipped, TSV
    'userId\tmovieId\trating\textra\nJosé\t€uro\t4.5\tx\n日本\t€uro\t3\ty\n',
    // faults: each must name the same line and column either way
    'user,item,value\nu1,i1,1\nu2,i2,great\n',
    'user,item,value\nu1,i1,1\nu2,i2\n',
    'user,item,value\nu1,i1,1\nu2,,1\n',
    'user,item,timestamp\nu1,i1,yesterday\n',
    'user,item,value,timestamp\nu1,i1,2e9,1000000000\n',
    'user,item,value,timestamp\nu1,i1,1,9999999999999999\n',
    'user,item,value,timestamp\nu1,i1,1,-99999999999999\n',
    `user,item\n${'u'.repeat(300)},i1\n`,
    'user,item\nu1\u0001x,i1\n',
    'user,item,type\nu1,i1, \n',
    'user,item\n\n',
  ];
  const outcome = async (content: string) => {
    const store = await freshStore();
    try {
      const p = file('same.csv', content);
      const s = await importEventsFile(store, p, { defaultTimestamp: 1e12 });
      return {
        summary: [s.rows, s.users, s.items, s.newTypes],
        users: store.userIds(),
        items: store.itemIds(),
        types: store.eventTypeNames(),
        events: (await allEvents(store)).map(({ ingestedAt: _, ...e }) => e),
        created: (await store.listUsers()).map((u) => u.createdAt),
      };
    } catch (err) {
      assert.ok(err instanceof InputError, String(err));
      return { fault: err.message.replace(/^[^:]*same\.csv/, 'FILE') };
    } finally {
      await store.close();
    }
  };
  const faults: string[] = [];
  for (const text of texts) {
    const plain = await outcome(text);
    assert.deepEqual(await outcome(text.replaceAll('\n', '\r\n')), plain, text.slice(0, 60));
    if (plain.fault !== undefined) faults.push(plain.fault);
  }
  assert.equal(faults.length, 11, faults.join('\n'));
  assert.ok(
    faults.slice(0, -1).every((f) => /line \d/.test(f)),
    faults.join('\n'),
  );
});

test('items: attributes keep their types; a duplicate id is refused with both lines', async () => {
  const store = await freshStore();
  const p = file('items.csv', 'id,title,genres,year,studio\na,Alpha,Drama|War,1999,Acme\nb,Beta,,2001,\n');
  assert.equal((await importItemsFile(store, p)).rows, 2);
  assert.deepEqual(await store.getItem('a'), {
    id: 'a',
    title: 'Alpha',
    genres: ['Drama', 'War'],
    attributes: { year: 1999, studio: 'Acme' },
    createdAt: (await store.getItem('a'))!.createdAt,
  });
  assert.deepEqual((await store.getItem('b'))?.attributes, { year: 2001 });
  const dup = file('dup.csv', 'id,title\nx,One\ny,Two\nx,Three\n');
  const other = await freshStore();
  await rejectsWith(importItemsFile(other, dup), 'line 4', 'duplicate item id "x" (first on line 2)');
  assert.equal((await other.counts()).items, 0);
  await store.close();
  await other.close();
});

test('export writes user,item,type,value,timestamp and re-imports to the same events', async () => {
  const a = await freshStore();
  await a.insertEvents([
    { user: 'u"1', item: 'i,1', type: 'rating', value: 4, timestamp: 1_700_000_000_123 },
    { user: 'u2', item: 'i2', type: 'dislike', value: -1, timestamp: 1_700_000_100_000 },
  ]);
  const out = join(dir, 'export.csv');
  assert.equal(await exportEventsCsv(a, out), 2);
  const text = readFileSync(out, 'utf8');
  assert.equal(text.split('\n')[0], 'user,item,type,value,timestamp');
  assert.ok(text.includes('"u""1","i,1",rating,4,2023-11-14T22:13:20.123Z'));
  const b = await freshStore();
  await importEventsFile(b, out);
  const [la, lb] = [await a.loadEventLog(), await b.loadEventLog()];
  assert.deepEqual(lb.userIds, la.userIds);
  assert.deepEqual(Array.from(lb.timestamp), Array.from(la.timestamp));
  assert.deepEqual(Array.from(lb.value), Array.from(la.value));
  assert.deepEqual(
    Array.from(lb.type, (t) => lb.typeNames[t]),
    Array.from(la.type, (t) => la.typeNames[t]),
  );
  await a.close();
  await b.close();
});

test('--header skip with a column order, and header names mapped with --columns', async () => {
  const csv = 'uid,movie_no,stars,when\nu1,m1,4,978300760\nu2,m1,2,978300761\n';
  const store = await freshStore();
  await importEventsFile(store, file('h.csv', csv), {
    columns: parseColumnSpec('user,item,rating,timestamp'),
    header: 'skip',
  });
  assert.equal((await store.counts()).events, 2);
  const mapped = await freshStore();
  await importEventsFile(mapped, file('m.csv', csv), {
    columns: parseColumnSpec('uid=user,movie_no=item,stars=rating,when=timestamp'),
  });
  assert.deepEqual(
    (await allEvents(mapped)).map((e) => [e.user, e.item, e.type, e.value, e.timestamp]),
    [
      ['u1', 'm1', 'rating', 4, 978300760000],
      ['u2', 'm1', 'rating', 2, 978300761000],
    ],
  );
  await rejectsWith(
    importEventsFile(await freshStore(), file('m2.csv', csv), {
      columns: parseColumnSpec('userId=user,movie_no=item'),
    }),
    'userId',
    'line 1',
  );
  await store.close();
  await mapped.close();
});

test('--no-quotes reads a " inside a TSV field as a character', async () => {
  const tsv = 'user\titem\tvalue\nu1\t"Weird Al" Yankovic\t3\nu2\tAbba\t1\n';
  const quoted = await freshStore();
  await rejectsWith(importEventsFile(quoted, file('q.tsv', tsv)), 'q.tsv');
  const plain = await freshStore();
  await importEventsFile(plain, file('q.tsv', tsv), { noQuotes: true, defaultType: 'play' });
  assert.deepEqual(
    (await allEvents(plain)).map((e) => e.item),
    ['"Weird Al" Yankovic', 'Abba'],
  );
  await quoted.close();
  await plain.close();
});

test('values, times and ids the rest of reco cannot hold are refused naming line and column', async () => {
  const head = 'user,item,value,timestamp\n';
  const cases: [string, string][] = [
    ['u1,i1,1e999,1000000000\n', 'value'],
    ['u1,i1,Infinity,1000000000\n', 'value'],
    ['u1,i1,2e9,1000000000\n', 'value'],
    ['u1,i1,1,9999999999999999\n', 'timestamp'],
    ['u1,i1,1,-99999999999999\n', 'timestamp'],
    ['u\u0000x,i1,1,1000000000\n', 'user'],
    [`${'u'.repeat(300)},i1,1,1000000000\n`, 'user'],
  ];
  for (const [row, column] of cases) {
    const store = await freshStore();
    await rejectsWith(importEventsFile(store, file('bad.csv', head + row)), 'line 2', `column ${column}`);
    assert.equal((await store.counts()).events, 0);
    await store.close();
  }
});

test('the store refuses what the importers refuse, whoever calls it', async () => {
  const store = await freshStore();
  const ok = { user: 'u1', item: 'i1', type: 'view', value: 1, timestamp: Date.UTC(2020, 0, 1) };
  for (const bad of [
    { ...ok, user: ' ' },
    { ...ok, user: 'a\u0000b' },
    { ...ok, item: '' },
    { ...ok, type: 'x\ny' },
    { ...ok, value: Number.POSITIVE_INFINITY },
    { ...ok, value: Number.NaN },
    { ...ok, timestamp: 1e16 },
    { ...ok, timestamp: 1.5 },
  ])
    await assert.rejects(() => store.insertEvents([ok, bad]), InputError, JSON.stringify(bad));
  assert.equal((await store.counts()).events, 0);
  await assert.rejects(() => store.upsertItems([{ id: 'i9', genres: ['a', ' b'] }]), /genres/);
  await assert.rejects(() => store.upsertItems([{ id: 'i9', title: 'x\u0007' }]), /title/);
  let deep: Record<string, unknown> = {};
  for (let d = 0; d < 50; d++) deep = { d: deep };
  await assert.rejects(() => store.upsertUsers([{ id: 'u9', attributes: deep }]), /nested/);
  assert.equal((await store.counts()).users, 0);
  await store.close();
});

test('an items file column named like an Object.prototype property is an ordinary attribute', async () => {
  const store = await freshStore();
  await importItemsFile(store, file('p.csv', 'id,__proto__,constructor,toString\ni1,1,x,y\n'));
  const it = (await store.getItem('i1'))!;
  assert.deepEqual(Object.keys(it.attributes ?? {}).sort(), ['__proto__', 'constructor', 'toString']);
  assert.equal(Object.getPrototypeOf(it.attributes), Object.prototype);
  await store.close();
});

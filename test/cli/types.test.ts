import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../src/store/open.js';
import { reco, tempDir } from '../helpers/cli.js';

const dir = tempDir('reco-types-');

test('reco types lists the built-in rules; set declares one, kept by the store and used by training', () => {
  const db = join(dir, 'types.db');
  const csv = join(dir, 'plays.csv');
  const rows = ['user,item,value,timestamp'];
  for (let u = 0; u < 12; u++)
    for (let i = 0; i < 6; i++)
      if ((u + i) % 3 !== 0) rows.push(`u${u},a${i},${1 + u * i},${1.6e9 + u * 100 + i}`);
  writeFileSync(csv, `${rows.join('\n')}\n`);
  const imported = reco('--db', db, 'import', 'events', csv, '--type', 'scrobble');
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stderr, /new event types declared .*: scrobble/);
  const list = reco('--db', db, 'types');
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^play +log x 1 \(built in\)$/m);
  assert.match(list.stdout, /^scrobble +count x 1 \(built in\)$/m);
  const set = reco('--db', db, 'types', 'set', 'scrobble', '--value', 'log', '--weight', '2');
  assert.equal(set.code, 0, set.stderr);
  const json = JSON.parse(reco('--db', db, 'types', '--json').stdout) as {
    name: string;
    rule: unknown;
    given: boolean;
  }[];
  assert.deepEqual(
    json.find((t) => t.name === 'scrobble'),
    { name: 'scrobble', code: 7, rule: { weight: 2, value: 'log' }, given: true },
  );
  const train = reco('--db', db, '-q', 'train', '--models', 'popularity');
  assert.equal(train.code, 0, train.stderr);
  const modelsDir = join(dir, 'models');
  const version = readFileSync(join(modelsDir, 'current'), 'utf8').trim();
  const manifest = JSON.parse(readFileSync(join(modelsDir, version, 'manifest.json'), 'utf8')) as {
    weights: { types: Record<string, unknown> };
  };
  assert.deepEqual(manifest.weights.types['scrobble'], { weight: 2, value: 'log' });
  const bad = reco('--db', db, 'types', 'set', 'scrobble', '--value', 'stars');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--value must be one of count, log, binary, centered/);
  const centre = reco('--db', db, 'types', 'set', 'stars', '--value', 'centered');
  assert.equal(centre.code, 2);
  assert.match(centre.stderr, /'stars'.*centre/);
});

test('the store keeps declared rules across reopening, and refuses undeclared types when asked', async () => {
  const path = join(dir, 'rules.db');
  const store = await openStore(path);
  await store.declareEventType('toString', { weight: 3, value: 'count' });
  await store.close();
  const again = await openStore(path);
  assert.deepEqual(again.eventTypes().find((t) => t.name === 'toString')?.rule, {
    weight: 3,
    value: 'count',
  });
  const e = { user: 'u', item: 'i', value: 1, timestamp: Date.UTC(2024, 0, 1) };
  await assert.rejects(
    () => again.insertEvents([{ ...e, type: 'valueOf' }], { createTypes: false }),
    /unknown event type "valueOf"/,
  );
  assert.equal(await again.insertEvents([{ ...e, type: 'toString' }], { createTypes: false }), 1);
  await again.close();
});

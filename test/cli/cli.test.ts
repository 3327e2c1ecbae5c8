import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { reco, tempDir } from '../helpers/cli.js';

const dir = tempDir('reco-cli-');

test('bad input: one clear line naming file, line and column, exit 1, no stack trace', () => {
  const db = join(dir, 'a.db');
  const csv = join(dir, 'bad.csv');
  writeFileSync(csv, 'user,item,rating\nu1,i1,4\nu2,i2,five\n');
  const r = reco('--db', db, 'import', 'events', csv);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim(), `reco: ${csv}, line 3, column rating: not a number: "five"`);
  const ok = reco('--db', db, '-q', 'import', 'events', join(dir, 'bad.csv').replace('bad', 'missing'));
  assert.equal(ok.code, 1);
  assert.match(ok.stderr, /no such file/);
});

test('usage errors exit with 2; help exits with 0', () => {
  assert.equal(reco('no-such-command').code, 2);
  assert.equal(reco('import', 'events').code, 2, 'missing argument');
  assert.equal(reco('import', 'events', 'x.csv', '--columns', 'user,item,colour').code, 2);
  const help = reco('--help');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /import/);
});

test('import then export through the command line', () => {
  const db = join(dir, 'b.db');
  const csv = join(dir, 'good.csv');
  writeFileSync(csv, 'u1\ti1\t4\t1000\nu2\ti1\t2\t2000\n');
  const r = reco('--db', db, 'import', 'events', csv, '--columns', 'user,item,rating,timestamp');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /imported 2 events/);
  const out = join(dir, 'out.csv');
  assert.equal(reco('--db', db, 'export', 'events', '--out', out).code, 0);
});

test('train-worker: refuses a SQLite store, and a bad --poll, naming them (exit 2)', () => {
  const db = join(dir, 'worker.db');
  const sqlite = reco('--db', db, 'train-worker', '--once');
  assert.equal(sqlite.code, 2, sqlite.stderr);
  assert.match(sqlite.stderr, /postgres:\/\/ URL.*worker\.db/);
  assert.equal(existsSync(db), false, 'nothing opened');
  const poll = reco('--db', db, 'train-worker', '--poll', '0');
  assert.equal(poll.code, 2);
  assert.match(poll.stderr, /--poll must be a positive number of seconds, got "0"/);
});

/** `reco experiment`: create, list, show, results, stop, sample-size, and its errors. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { reco, tempDir } from '../helpers/cli.js';

test('reco experiment create, list, show, results, stop', () => {
  const db = join(tempDir('reco-cli-exp-'), 'reco.db');
  const created = reco(
    '--db',
    db,
    'experiment',
    'create',
    '--name',
    'ranked-vs-pop',
    '--variant',
    'control=popularity',
    '--variant',
    'treatment=ranked',
    '--weight',
    '1',
    '--weight',
    '3',
    '--json',
  );
  assert.equal(created.code, 0, created.stderr);
  const e = JSON.parse(created.stdout) as { id: string; status: string; variants: { weight: number }[] };
  assert.equal(e.status, 'running');
  assert.deepEqual(
    e.variants.map((v) => v.weight),
    [0.25, 0.75],
  );
  const list = reco('--db', db, 'experiment', 'list');
  assert.match(list.stdout, new RegExp(`${e.id}\\s+ranked-vs-pop\\s+running`));
  const results = reco('--db', db, 'experiment', 'results', e.id, '--json');
  assert.equal(results.code, 0, results.stderr);
  const r = JSON.parse(results.stdout) as { variants: { name: string; users: number }[]; srm: { p: number } };
  assert.deepEqual(
    r.variants.map((v) => [v.name, v.users]),
    [
      ['control', 0],
      ['treatment', 0],
    ],
  );
  assert.match(reco('--db', db, 'experiment', 'results', e.id).stdout, /sample ratio mismatch: p = 1\.0000/);
  assert.match(reco('--db', db, 'experiment', 'stop', e.id).stdout, /\(stopped\)/);
  const again = reco('--db', db, 'experiment', 'stop', e.id);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already stopped/);
  assert.match(reco('--db', db, 'experiment', 'show', e.id).stdout, /control=popularity \(25%\)/);
});

test('reco experiment errors name the option or field', () => {
  const db = join(tempDir('reco-cli-exp-'), 'reco.db');
  const noEq = reco('--db', db, 'experiment', 'create', '--name', 'x', '--variant', 'control');
  assert.equal(noEq.code, 2);
  assert.match(noEq.stderr, /--variant 1: write NAME=STRATEGY/);
  const one = reco('--db', db, 'experiment', 'create', '--name', 'x', '--variant', 'a=popularity');
  assert.equal(one.code, 1);
  assert.match(one.stderr, /variants: must list 2 to 10 variants/);
  const unknown = reco('--db', db, 'experiment', 'show', 'exp-none');
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /unknown experiment "exp-none"/);
});

test('reco experiment sample-size', () => {
  const r = reco('experiment', 'sample-size', '--baseline', '0.05', '--lift', '0.1');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^31,231 users \(or exposures\) per variant/);
  const bad = reco('experiment', 'sample-size', '--baseline', '0.05', '--lift', 'x');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--lift must be a number/);
});

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { reco, tempDir } from '../helpers/cli.js';

const dir = tempDir('reco-study-cli-');
const db = join(dir, 's.db');

test('reco study: usage errors name the study, the option or the parameter (exit 2)', () => {
  const unknown = reco('--db', db, 'study', 'nope');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown study "nope"; valid: realism, noise, leakage, drift/);
  const grid = reco('--db', db, 'study', 'noise', '--grid', 'tasteShare=0.5,abc');
  assert.equal(grid.code, 2);
  assert.match(grid.stderr, /--grid tasteShare=0.5,abc: cannot read the value "abc" of tasteShare/);
  const seeds = reco('--db', db, 'study', 'noise', '--seeds', '0');
  assert.equal(seeds.code, 2);
  assert.match(seeds.stderr, /--seeds/);
  const model = reco('--db', db, 'study', 'noise', '--models', 'popularity,nope');
  assert.equal(model.code, 2);
  assert.match(model.stderr, /unknown model "nope"/);
});

test('reco study on a tiny grid: quiet stdout, one summary line on stderr, the report, runs of kind study', () => {
  const out = join(dir, 'report');
  const r = reco(
    '--db',
    db,
    'study',
    'realism',
    '--seeds',
    '1',
    '--models',
    'popularity',
    '--grid',
    'users=60',
    '--grid',
    'events=2000',
    '--grid',
    'items=40',
    '--out',
    out,
    '--parallel',
    '1',
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(
    lines[0]!,
    /^study realism: 1 cells \(1 levels x 1 seeds\) in \d+ s, recorded as runs of kind study; report .*README\.md$/,
  );
  assert.ok(existsSync(join(out, 'ndcg_frac.svg')));
  assert.match(readFileSync(join(out, 'README.md'), 'utf8'), /\| popularity \| [0-9.]+ \|/);
  const list = reco('--db', db, 'runs', 'list', '--kind', 'study', '--json');
  assert.equal(list.code, 0, list.stderr);
  const runs = JSON.parse(list.stdout) as { name: string; status: string }[];
  assert.deepEqual(
    runs.map((x) => [x.name, x.status]),
    [['study-realism-users=60,_events=2000,_items=40-seed1', 'FINISHED']],
  );
});

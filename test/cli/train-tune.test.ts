import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { reco, tempDir } from '../helpers/cli.js';

const dir = tempDir('reco-train-tune-');

interface Manifest {
  models: { name: string; params: Record<string, unknown> }[];
  tuning?: { choices: { target: string; default: unknown; chosen: unknown; trials: unknown[] }[] };
}

function current(modelsDir: string): Manifest {
  const version = readFileSync(join(modelsDir, 'current'), 'utf8').trim();
  return JSON.parse(readFileSync(join(modelsDir, version, 'manifest.json'), 'utf8')) as Manifest;
}

test('reco train tunes on a validation split, prints the choices and keeps them in the bundle; --no-tune and --params fix them', () => {
  const db = join(dir, 'sim.db');
  const sim = reco(
    '--db',
    db,
    'simulate',
    '--users',
    '80',
    '--items',
    '60',
    '--events',
    '3000',
    '--seed',
    '2',
  );
  assert.equal(sim.code, 0, sim.stderr);
  const modelsDir = join(dir, 'models');

  const tuned = reco('--db', db, '-q', 'train', '--models', 'ease,itemknn', '--tune-budget', '2m');
  assert.equal(tuned.code, 0, tuned.stderr);
  assert.match(tuned.stdout, /^tuned in [\d.]+ s \(budget 120 s\)/m);
  assert.match(tuned.stdout, /^ease\.lambda +500 +\S+ +0\.\d{4} +0\.\d{4}$/m);
  assert.match(tuned.stdout, /^itemknn\.neighbours +100 /m);
  const m = current(modelsDir);
  const choices = new Map(m.tuning!.choices.map((c) => [c.target, c]));
  const lambda = choices.get('ease.lambda')!;
  // the default, half and twice it, then at most one step further out where one of them won
  assert.deepEqual(
    (lambda.trials as { value: number }[]).slice(0, 3).map((t) => t.value),
    [500, 250, 1000],
  );
  assert.ok(lambda.trials.length <= 4);
  assert.equal(m.models.find((x) => x.name === 'ease')!.params['lambda'], lambda.chosen);
  assert.ok(!choices.has('als.alpha'), 'no model uses ALS');

  const fixed = reco('--db', db, '-q', 'train', '--models', 'ease', '--params', '{"ease":{"lambda":77}}');
  assert.equal(fixed.code, 0, fixed.stderr);
  const f = current(modelsDir);
  assert.equal(f.models[0]!.params['lambda'], 77);
  assert.ok(!f.tuning!.choices.some((c) => c.target === 'ease.lambda'));

  const none = reco('--db', db, '-q', 'train', '--models', 'ease', '--no-tune');
  assert.equal(none.code, 0, none.stderr);
  assert.doesNotMatch(none.stdout, /tuned in/);
  const n = current(modelsDir);
  assert.equal(n.tuning, undefined);
  assert.equal(n.models[0]!.params['lambda'], 500);

  const bad = reco('--db', db, 'train', '--tune-budget', 'soon');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--tune-budget must be a duration such as 60, 60s or 2m, got "soon"/);
});

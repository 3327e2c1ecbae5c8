/**
 * `npm run bench`: runs every benchmark in turn, each in its own process (so one's memory and JIT state
 * do not colour another's), and prints their figures. `npm run bench -- import gbdt-train` runs a subset;
 * everything from the first `--flag` on (with values: `--only ml100k`) is passed to each benchmark.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCHES = [
  'import',
  'pg-bulk',
  'simulate',
  'recommenders',
  'evaluate',
  'gbdt-predict',
  'gbdt-train',
  'pipeline',
  'generalise',
  'train-scale',
  'identity',
  'serve',
  'experiments',
  'stall',
  'web',
  'fuzz',
  'loop',
];

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
// benchmark names come first; from the first flag on, everything (flags and their values, e.g.
// `--only ml100k` or `--params '{...}'`) is passed to each benchmark
const firstFlag = args.findIndex((a) => a.startsWith('-'));
const names = firstFlag < 0 ? args : args.slice(0, firstFlag);
const flags = firstFlag < 0 ? [] : args.slice(firstFlag);
const unknown = names.filter((n) => !BENCHES.includes(n));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${BENCHES.join(', ')}`);
  process.exit(2);
}
const selected = names.length > 0 ? names : BENCHES;
const results: { name: string; seconds: number; status: string }[] = [];
for (const name of selected) {
  const file = join(here, `${name}.js`);
  if (!existsSync(file)) {
    results.push({ name, seconds: 0, status: 'not built' });
    continue;
  }
  console.log(`\n=== bench ${name} ===`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--expose-gc', file, ...flags], { stdio: 'inherit' });
  const seconds = (performance.now() - t0) / 1000;
  results.push({ name, seconds, status: r.status === 0 ? 'ok' : `failed (exit ${r.status ?? r.signal})` });
}
console.log('\n=== summary ===');
for (const r of results) console.log(`${r.name.padEnd(14)} ${r.status.padEnd(20)} ${r.seconds.toFixed(1)} s`);
process.exit(results.some((r) => r.status.startsWith('failed')) ? 1 : 0);

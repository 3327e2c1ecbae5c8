/**
 * Runs, for one seed, the in-process A/B (popularity against ranked after a pre-period of popularity) and
 * the interleaving (interleave:ranked,popularity, the same pre-period and days) of `bench/loop.ts`, and
 * writes what the users-needed comparison reads (per-user sums of the A/B, the interleaved slates'
 * teams, common prefixes, shared ranks and takes) to a JSON file: `node dist/bench/loop-power-run.js --base DIR --seed S
 * --out FILE [--pre-days 7 --days 14]`.
 */
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InterleavingMethod } from '../src/experiments/interleave.js';
import { InProcessClient } from '../src/loop/client.js';
import { DEFAULT_PEOPLE } from '../src/loop/params.js';
import { runLoop, type SlateRecord } from '../src/loop/run.js';
import { loadWorld } from '../src/simulation/oracle.js';
import { openStore } from '../src/store/open.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const base = arg('base') ?? join(tmpdir(), 'reco-bench-loop');
const seed = Number(arg('seed') ?? 1);
const out = arg('out') ?? `power-${seed}.json`;
const preDays = Number(arg('pre-days') ?? 7);
const days = Number(arg('days') ?? 14);
const parts = new Set((arg('parts') ?? 'ab,il,il-neutral').split(','));

function scratch(): { db: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'reco-power-'));
  for (const f of ['reco.db', 'reco.db-wal', 'models'])
    if (existsSync(join(base, f))) cpSync(join(base, f), join(dir, f), { recursive: true });
  return { db: join(dir, 'reco.db'), dir };
}

async function run(
  arms: { name: string; strategy: string; weight?: number }[],
  onSlate?: (s: SlateRecord) => void,
  interleaving?: InterleavingMethod,
) {
  const s = scratch();
  const store = await openStore(s.db);
  const client = await InProcessClient.open(store, join(s.dir, 'models'));
  const t0 = performance.now();
  try {
    const world = await loadWorld(store);
    const r = await runLoop({
      world,
      history: await store.loadEventLog(),
      users: world.params.users,
      days,
      preDays,
      k: 10,
      seed,
      people: DEFAULT_PEOPLE,
      client,
      arms,
      measure: false,
      ...(onSlate ? { onSlate } : {}),
      ...(interleaving ? { interleaving } : {}),
    });
    console.log(
      `  seed ${seed} ${arms.map((a) => a.strategy).join(' / ')}: ${r.slates} slates, ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );
    return r;
  } finally {
    await client.close();
    await store.close();
    rmSync(s.dir, { recursive: true, force: true });
  }
}

const result: Record<string, unknown> = { seed, preDays, days };
if (parts.has('ab')) {
  const r = await run([
    { name: 'control', strategy: 'popularity' },
    { name: 'treatment', strategy: 'ranked' },
  ]);
  const users = [];
  for (const m of r.metrics.values())
    for (const p of m.joined)
      users.push({
        p,
        arm: m.name === 'control' ? 0 : 1,
        m: m.userTakes[p],
        d: m.userSlates[p],
        pm: r.pre!.userTakes[p],
        pd: r.pre!.userSlates[p],
      });
  result.ab = users;
}
// `il`: the server's interleaving (team draft); `il-neutral`: team draft with the shared items neutral
for (const [part, method] of [
  ['il', 'team-draft'],
  ['il-neutral', 'neutral'],
] as const) {
  if (!parts.has(part)) continue;
  const slates: (number | number[])[][] = [];
  await run(
    [
      { name: 'control', strategy: 'popularity', weight: 0 },
      { name: 'il', strategy: 'interleave:ranked,popularity' },
    ],
    (s) => {
      if (s.teams) slates.push([s.person, s.day, s.commonPrefix ?? 0, s.teams, s.taken, s.shared ?? []]);
    },
    method,
  );
  result[part] = slates;
}
writeFileSync(out, JSON.stringify(result));

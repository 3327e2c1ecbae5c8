/**
 * Bulk paths of the PostgreSQL store beside SQLite's (issue #16: `reco import` of 1M events into PostgreSQL
 * in <= 4 s; `store.loadEventLog()` of 1M events in <= 1.5 s), in one run:
 *
 *   node dist/bench/pg-bulk.js [--events 1000000] [--repeat 3] [--pg postgres://postgres@127.0.0.1:5432/test]
 *   npm run bench -- pg-bulk --repeat=3
 *
 * A seeded synthetic file (generic CSV `user,item,type,value,timestamp`: 50k users, 20k items, skewed
 * popularity, three event types, fractional values, times in ms rising with jitter) is written to a temporary
 * directory, then each repeat times, for SQLite and for a fresh PostgreSQL schema (dropped afterwards):
 *   cli     `reco --db DB -q import events FILE` in a child process (the whole command's wall time)
 *   import  importEventsFile in this process (parse + store), and `store` = import minus `parse`, where
 *           parse is readEventBatches alone (the same parse, no store) timed just before: the time the
 *           store adds to the parse (the importer parses a batch ahead while the store writes)
 *   load    store.loadEventLog() of the imported events (in this process, the store just opened)
 * The machine's load average is printed beside every repeat (the machine is shared); the table gives the
 * best and the median of the repeats; `its CPU` is the CPU time of the `reco import` process alone (the
 * database server's is not counted), a figure the machine's load moves less. Without PostgreSQL at --pg
 * (or RECO_TEST_PG) only SQLite is measured (under CI=true it fails).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { importEventsFile, readEventBatches } from '../src/data/import/events-file.js';
import { openStore } from '../src/store/open.js';
import { pgReachable, pgSchemas } from '../test/helpers/pg.js';
import { median, option } from './args.js';
import { reco } from './generalise/reco-cli.js';

const EVENTS = Number(option('events') ?? 1_000_000);
const REPEAT = Math.max(1, Number(option('repeat') ?? 3));
const PG_URL = option('pg') ?? process.env['RECO_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const IMPORT_BAR = 4;
const LOAD_BAR = 1.5;
const say = (line: string) => process.stderr.write(`${line}\n`);
const load = () => loadavg()[0]!.toFixed(2);

/** The synthetic events file (seeded: the same bytes every run). */
function writeEvents(file: string, n: number): void {
  let state = 20261207;
  const rand = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const types = ['view', 'click', 'purchase'];
  const parts = ['user,item,type,value,timestamp\n'];
  let chunk = '';
  let t = 1_700_000_000_000;
  for (let k = 0; k < n; k++) {
    t += Math.floor(rand() * 200);
    const type = types[rand() < 0.8 ? 0 : rand() < 0.8 ? 1 : 2]!;
    const value = Math.round(rand() * 5000) / 1000;
    chunk += `u${Math.floor(rand() ** 2 * 50_000)},i${Math.floor(rand() ** 3 * 20_000)},${type},${value},${t}\n`;
    if (chunk.length > 1 << 20) {
      parts.push(chunk);
      chunk = '';
    }
  }
  parts.push(chunk);
  writeFileSync(file, parts.join(''));
}

interface Figures {
  cli: number[];
  /** CPU seconds of the `reco import` process (not the database server's). */
  cliCpu: number[];
  import: number[];
  store: number[];
  load: number[];
}

async function seconds<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const out = await fn();
  return [(performance.now() - t0) / 1000, out];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'reco-bench-pg-bulk-'));
  const schemas = pgSchemas('reco_bench', PG_URL);
  const figures = new Map<string, Figures>([
    ['sqlite', { cli: [], cliCpu: [], import: [], store: [], load: [] }],
    ['postgres', { cli: [], cliCpu: [], import: [], store: [], load: [] }],
  ]);
  if (!(await pgReachable(PG_URL))) {
    if (process.env['CI'] === 'true') throw new Error(`PostgreSQL is not reachable at ${PG_URL}`);
    say(`pg-bulk: PostgreSQL is not reachable at ${PG_URL} (--pg, RECO_TEST_PG): SQLite only`);
    figures.delete('postgres');
  }
  const parses: number[] = [];
  const loads: string[] = [];
  try {
    const file = join(dir, 'events.csv');
    const [genSec] = await seconds(async () => writeEvents(file, EVENTS));
    say(`pg-bulk: ${EVENTS.toLocaleString('en-US')} events written in ${genSec.toFixed(1)} s to ${file}`);
    let n = 0;
    const location = (backend: string) => {
      n++;
      return backend === 'sqlite' ? join(dir, `s${n}.db`) : schemas.location();
    };
    for (let r = 0; r < REPEAT; r++) {
      const [parseSec] = await seconds(async () => {
        let rows = 0;
        for await (const batch of readEventBatches(file)) rows += batch.length;
        return rows;
      });
      parses.push(parseSec);
      for (const [backend, f] of figures) {
        const db = location(backend);
        const cli = await reco(db, ['import', 'events', file]);
        if (cli.code !== 0) throw new Error(`${cli.command} failed: ${cli.stderr}`);
        f.cli.push(cli.seconds);
        f.cliCpu.push(cli.cpuSeconds);
        const store = await openStore(location(backend));
        try {
          const [importSec, s] = await seconds(() => importEventsFile(store, file));
          if (s.rows !== EVENTS) throw new Error(`${backend}: imported ${s.rows} events, not ${EVENTS}`);
          f.import.push(importSec);
          f.store.push(importSec - parseSec);
          const [loadSec, log] = await seconds(() => store.loadEventLog());
          if (log.length !== EVENTS)
            throw new Error(`${backend}: loaded ${log.length} events, not ${EVENTS}`);
          f.load.push(loadSec);
        } finally {
          await store.close();
        }
        await schemas.drop();
        const at = f.cli.length - 1;
        say(
          `  #${r + 1} ${backend.padEnd(8)} cli ${cli.seconds.toFixed(2)} s (CPU ${cli.cpuSeconds.toFixed(2)} s), import ${f.import[at]!.toFixed(2)} s (parse ${parseSec.toFixed(2)} s, store ${f.store[at]!.toFixed(2)} s), loadEventLog ${f.load[at]!.toFixed(2)} s (load average ${load()})`,
        );
      }
      loads.push(load());
    }
  } finally {
    await schemas.drop();
    rmSync(dir, { recursive: true, force: true });
  }
  report(figures, parses, loads);
}

function report(figures: Map<string, Figures>, parses: number[], loads: string[]): void {
  const cell = (xs: number[]) => `${Math.min(...xs).toFixed(2)} / ${median(xs).toFixed(2)}`;
  const rows = [
    ['store', 'reco import (cli)', 'its CPU', 'import', 'parse', 'store part', 'loadEventLog'],
    ...[...figures].map(([name, f]) => [
      name,
      cell(f.cli),
      cell(f.cliCpu),
      cell(f.import),
      cell(parses),
      cell(f.store),
      cell(f.load),
    ]),
  ];
  const width = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  console.log(
    `pg-bulk: ${EVENTS.toLocaleString('en-US')} events, ${REPEAT} repeat(s), seconds as best / median; load average after each repeat: ${loads.join(', ')}`,
  );
  for (const r of rows) console.log(r.map((c, j) => c.padEnd(width[j]!)).join('  '));
  const p = figures.get('postgres');
  if (!p) return;
  // the bars are for 1M events: another count gets its figures without a verdict
  const verdict = (x: number, bar: number) =>
    `${x.toFixed(2)} s ${EVENTS !== 1_000_000 ? '(the bar is for 1,000,000 events)' : x <= bar ? 'met' : 'MISSED'}`;
  console.log(
    `pg-bulk: postgres reco import (whole command, best) ${verdict(Math.min(...p.cli), IMPORT_BAR)}; store part (best) ${verdict(Math.min(...p.store), IMPORT_BAR)} (bar ${IMPORT_BAR} s); loadEventLog (best) ${verdict(Math.min(...p.load), LOAD_BAR)} (bar ${LOAD_BAR} s)`,
  );
}

main().catch((err: unknown) => {
  console.error(`pg-bulk: ${(err as Error).message}`);
  process.exit(1);
});

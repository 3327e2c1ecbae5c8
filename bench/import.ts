/**
 * Store bulk paths: importing 1 million events from CSV (target: under 10 s), the columnar bulk insert,
 * and reading the event log back.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importEventsFile } from '../src/data/import/events-file.js';
import { openStore } from '../src/store/open.js';

const N = Number(process.env.BENCH_IMPORT_EVENTS ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'reco-bench-import-'));
try {
  // a seeded synthetic log: 20k users, 5k items, ratings 1-5
  let state = 12345;
  const rand = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const lines = ['user,item,rating,timestamp'];
  for (let k = 0; k < N; k++) {
    lines.push(
      `u${Math.floor(rand() ** 2 * 20000)},i${Math.floor(rand() ** 3 * 5000)},${1 + Math.floor(rand() * 5)},${1_600_000_000 + k}`,
    );
  }
  const csv = join(dir, 'events.csv');
  writeFileSync(csv, `${lines.join('\n')}\n`);

  const store = await openStore(join(dir, 'a.db'));
  let t = performance.now();
  const s = await importEventsFile(store, csv);
  const importSec = (performance.now() - t) / 1000;
  console.log(
    `import events CSV: ${s.rows.toLocaleString('en-US')} rows in ${importSec.toFixed(2)} s (${Math.round(s.rows / importSec).toLocaleString('en-US')} rows/s); target < 10 s: ${importSec < 10 ? 'met' : 'MISSED'}`,
  );
  t = performance.now();
  const log = await store.loadEventLog();
  const loadSec = (performance.now() - t) / 1000;
  console.log(`load event log: ${log.length.toLocaleString('en-US')} events in ${loadSec.toFixed(2)} s`);

  const b = await openStore(join(dir, 'b.db'));
  await b.upsertUsers(log.userIds.map((id) => ({ id })));
  await b.upsertItems(log.itemIds.map((id) => ({ id })));
  t = performance.now();
  await b.insertEventColumns(log);
  const colSec = (performance.now() - t) / 1000;
  console.log(
    `columnar bulk insert: ${log.length.toLocaleString('en-US')} events in ${colSec.toFixed(2)} s (${Math.round(log.length / colSec).toLocaleString('en-US')} events/s)`,
  );
  await store.close();
  await b.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

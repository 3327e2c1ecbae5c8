/**
 * The fuzz suite (issue 17): a real `reco serve` process over a small simulated world with every model
 * trained takes several thousand requests generated from its own OpenAPI document (../helpers/fuzz.ts:
 * valid, mutated and hostile values, fixed seed) from a client and an admin key. No answer is a 5xx, leaks a
 * path or a stack, lacks a `field` on a 400, is undocumented, outgrows its bound or fails to come; the server
 * then stops cleanly, `reco train` trains every model on what it stored, and `reco export events` and
 * `reco import events` round-trip it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../src/store/open.js';
import { reco, tempDir } from '../helpers/cli.js';
import {
  AnswerChecker,
  extraRequests,
  type FuzzWorld,
  fuzzRequests,
  type OpenApiDoc,
  runFuzz,
} from '../helpers/fuzz.js';
import { lintOpenApi } from '../helpers/openapi-lint.js';
import { startServer } from '../helpers/server.js';
import { ADMIN_KEY, CLIENT_KEY, KEYS } from './helpers.js';

const SEED = 17;
const REQUESTS = 4000;

test('fuzz: thousands of generated requests against reco serve, then train, export and import', async () => {
  const dir = tempDir('reco-fuzz-');
  const db = join(dir, 'reco.db');
  let r = reco('--db', db, '-q', 'simulate', '--preset', 'tiny', '--seed', '7');
  assert.equal(r.code, 0, r.stderr);
  r = reco('--db', db, '-q', 'train');
  assert.equal(r.code, 0, r.stderr);

  const store = await openStore(db);
  const world: FuzzWorld = {
    users: store.userIds().slice(0, 20),
    items: store.itemIds().slice(0, 40),
    types: store.eventTypeNames(),
    genres: [...new Set((await store.listItems()).flatMap((it) => it.genres ?? []))],
    versions: [readFileSync(join(dir, 'models', 'current'), 'utf8').trim(), 'nope', '20200101-000000-000'],
    clientKey: CLIENT_KEY,
    adminKey: ADMIN_KEY,
  };
  await store.close();

  const server = await startServer(db, KEYS, ['--rate-limit', '0', '--rank-threads', '1']);
  let report: Awaited<ReturnType<typeof runFuzz>>;
  try {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as OpenApiDoc;
    // the document as the real server serves it (the web app mounted beside the API) is lint-clean too
    assert.deepEqual(await lintOpenApi(doc), []);
    const requests = [...fuzzRequests(doc, world, REQUESTS, SEED), ...extraRequests(world)];
    report = await runFuzz(server.url, requests, new AnswerChecker(doc), {
      concurrency: 4,
      timeoutMs: 20_000,
    });
  } finally {
    const code = await server.stop();
    assert.equal(code, 0, `the server did not stop cleanly: ${server.output().slice(-2000)}`);
  }
  const statuses = [...report.statuses].sort((a, b) => a[0] - b[0]);
  assert.deepEqual(
    report.failures,
    [],
    `${report.problemCount} of ${report.requests} answers at fault (statuses ${JSON.stringify(statuses)})`,
  );
  // the mix reached both sides: stored changes, and refused input
  const count = (s: number) => report.statuses.get(s) ?? 0;
  assert.ok(count(200) + count(201) > REQUESTS / 5, JSON.stringify(statuses));
  assert.ok(count(400) > REQUESTS / 5, JSON.stringify(statuses));
  for (const s of [401, 403, 404, 415]) assert.ok(count(s) > 0, `no ${s}: ${JSON.stringify(statuses)}`);
  // an oversize body is refused with 413, or, when the server closes before the client has sent it all, the
  // client sees the connection reset (status 0; with no failures above, nothing else is counted there)
  assert.ok(count(413) + count(0) > 0, `no 413: ${JSON.stringify(statuses)}`);

  // whatever the server accepted, a training takes, and export and import agree on
  r = reco('--db', db, '-q', 'train');
  assert.equal(r.code, 0, `reco train after the fuzz: ${r.stderr}`);
  const first = join(dir, 'events.csv');
  r = reco('--db', db, 'export', 'events', '--out', first);
  assert.equal(r.code, 0, r.stderr);
  const copy = join(dir, 'copy.db');
  r = reco('--db', copy, '-q', 'import', 'events', first);
  assert.equal(r.code, 0, `reco import events of the export: ${r.stderr}`);
  const second = join(dir, 'events-again.csv');
  r = reco('--db', copy, 'export', 'events', '--out', second);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(readFileSync(first).equals(readFileSync(second)), 'export, import and export again differ');
});

/**
 * Whatever the store accepts, `reco export events` writes and `reco import events` reads back identically
 * (property-based, fast-check, fixed seed): ids of any printable Unicode (commas, quotes, emoji included),
 * values and times over their whole accepted range.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { exportEventsCsv } from '../../src/data/export.js';
import { importEventsFile } from '../../src/data/import/events-file.js';
import { idProblem, MAX_EVENT_VALUE, MAX_TIME, MIN_TIME } from '../../src/data/valid.js';
import { openStore } from '../../src/store/open.js';
import type { EventRecord } from '../../src/types.js';
import { allEvents } from '../helpers/store-events.js';

const dir = mkdtempSync(join(tmpdir(), 'reco-round-trip-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Ids as the validator accepts them, drawn from all of Unicode (most draws are kept). */
const id = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
  .map((s) => s.trim())
  .filter((s) => idProblem(s) === undefined);
const event = fc.record({
  user: id,
  item: id,
  type: fc.constantFrom('view', 'click', 'rating', 'play', 'add, to "cart"'),
  value: fc.oneof(
    fc.double({ min: -MAX_EVENT_VALUE, max: MAX_EVENT_VALUE, noNaN: true }),
    fc.integer({ min: -5, max: 5 }),
  ),
  timestamp: fc.integer({ min: MIN_TIME, max: MAX_TIME }),
});

test('export then import gives back every accepted event exactly', async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 40 }), async (events: EventRecord[]) => {
      const k = run++;
      const a = await openStore(join(dir, `a${k}.db`));
      const b = await openStore(join(dir, `b${k}.db`));
      try {
        await a.insertEvents(events);
        const csv = join(dir, `e${k}.csv`);
        await exportEventsCsv(a, csv);
        await importEventsFile(b, csv);
        const rows = async (s: typeof a) =>
          (await allEvents(s)).map((e) => [
            e.user,
            e.item,
            e.type,
            Object.is(e.value, -0) ? 0 : e.value,
            e.timestamp,
          ]);
        assert.deepEqual(await rows(b), await rows(a));
      } finally {
        await a.close();
        await b.close();
      }
    }),
    { seed: 42, numRuns: 150 },
  );
});

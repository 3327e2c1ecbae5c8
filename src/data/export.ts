/**
 * `reco export events`: every event as CSV with the header user,item,type,value,timestamp (ISO 8601, UTC),
 * written through csv-stringify (quoting ids that need it). The file appears complete or not at all: rows
 * go to a temporary file that is renamed at the end.
 */
import { once } from 'node:events';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { stringify } from 'csv-stringify';
import { RecoError } from '../errors.js';
import type { Store } from '../store/store.js';
import { timeProblem } from './valid.js';

export async function exportEventsCsv(
  store: Store,
  out: string,
  onProgress?: (rows: number) => void,
): Promise<number> {
  const tmp = `${out}.tmp-${process.pid}`;
  const file = createWriteStream(tmp);
  const csv = stringify({ header: true, columns: ['user', 'item', 'type', 'value', 'timestamp'] });
  csv.pipe(file);
  let n = 0;
  try {
    for await (const e of store.iterateEvents()) {
      // a store written before times were checked may hold one that no date format can express
      const problem = timeProblem(e.timestamp);
      if (problem)
        throw new RecoError(
          `event ${n + 1} (user "${e.user}", item "${e.item}"): its timestamp ${problem}; it cannot be exported`,
        );
      if (!csv.write([e.user, e.item, e.type, e.value, new Date(e.timestamp).toISOString()])) {
        await once(csv, 'drain');
      }
      if (++n % 10_000 === 0) onProgress?.(n);
    }
    csv.end();
    await once(file, 'finish');
    renameSync(tmp, out);
  } catch (err) {
    file.destroy();
    rmSync(tmp, { force: true });
    throw err;
  }
  onProgress?.(n);
  return n;
}

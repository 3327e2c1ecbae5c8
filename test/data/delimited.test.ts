/**
 * readDelimited's two readers give the same records: a plain file (no quote, no carriage return) is split
 * line by line, any other through csv-parse.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type DelimitedRecord, readDelimited } from '../../src/data/import/delimited.js';
import { InputError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'reco-delimited-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (content: string | Buffer) => {
  const p = join(dir, `${n++}.csv`);
  writeFileSync(p, content);
  return p;
};

async function records(path: string, delimiter?: string): Promise<DelimitedRecord[]> {
  const out: DelimitedRecord[] = [];
  for await (const r of readDelimited(path, delimiter === undefined ? {} : { delimiter })) out.push(r);
  return out;
}

test('a plain file reads as csv-parse reads it: BOM, blank lines, empty fields, no final newline', async () => {
  const bodies = [
    '\uFEFFuser,item,value\nu1,i1,2\n\nu2,,3\n   \nu3,i3,\n,i4,5',
    'user\titem\nu1\ti1\nu2\ti2\n\n',
    'a;b\n;\nx;y;z\n',
    'only\n',
  ];
  for (const body of bodies) {
    // the same lines followed by one with a quote (which sends the whole file to csv-parse)
    const sep = body.includes('\t') ? '\t' : body.includes(';') ? ';' : ',';
    const plain = await records(file(body));
    const parsed = await records(file(`${body}${body.endsWith('\n') ? '' : '\n'}"q"${sep}x\n`));
    assert.deepEqual(parsed.pop()?.fields, ['q', 'x']);
    assert.deepEqual(plain, parsed, JSON.stringify(body));
  }
});

test('a plain file with an invalid byte or a read with quotes off still names the line', async () => {
  const bad = file(
    Buffer.concat([Buffer.from('user,item\nu1,i1\nu2,caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
  );
  await assert.rejects(
    records(bad),
    (err: unknown) => err instanceof InputError && /line 3/.test(err.message),
  );
  const quoted = file('user\titem\n"Weird Al"\ti1\n');
  const out: DelimitedRecord[] = [];
  for await (const r of readDelimited(quoted, { noQuotes: true })) out.push(r);
  assert.deepEqual(out[1], { line: 2, fields: ['"Weird Al"', 'i1'] });
});

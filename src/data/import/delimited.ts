/**
 * Reads delimited text (CSV, TSV, MovieLens' `|` and tab files) as a stream of records with their line
 * numbers, through csv-parse; a UTF-8 file without quotes (or read without them) and without carriage
 * returns is split line by line instead, with the same records. Text must be valid UTF-8 unless `latin1` is
 * asked for; a bad byte sequence is reported with its line. Errors are InputErrors that name the file and line.
 */
import { createReadStream, statSync } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { type CsvError, parse } from 'csv-parse';
import { InputError } from '../../errors.js';

export interface DelimitedOptions {
  /** Field separator; detected from the first line when absent (tab, comma, semicolon or `|`). */
  delimiter?: string;
  /** 'utf8' (validated) or 'latin1' (MovieLens 100K's u.item). */
  encoding?: 'utf8' | 'latin1';
  /** Fields are never quoted (MovieLens 100K). */
  noQuotes?: boolean;
}

export interface DelimitedRecord {
  /** 1-based line number in the file. */
  line: number;
  fields: string[];
}

/** Decodes UTF-8 strictly, so that a file in another encoding fails with its line number. */
class StrictUtf8 extends Transform {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private line = 1;
  /** `strings`: the text comes out as strings (else as bytes again, for csv-parse). */
  constructor(
    private readonly file: string,
    strings = false,
  ) {
    super({ decodeStrings: true, readableObjectMode: strings });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      // find the line of the first bad byte
      let at = this.line;
      const probe = new TextDecoder('utf-8', { fatal: true });
      let start = 0;
      for (let i = 0; i <= chunk.length; i++) {
        if (i === chunk.length || chunk[i] === 0x0a) {
          try {
            // a whole line must decode on its own; the chunk's unfinished last line may end mid-character
            probe.decode(chunk.subarray(start, i), { stream: i === chunk.length });
          } catch {
            break;
          }
          if (i < chunk.length) at++;
          start = i + 1;
        }
      }
      cb(new InputError('not valid UTF-8 text (convert the file to UTF-8)', this.file, at));
      return;
    }
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.line++;
    cb(null, text);
  }
  override _flush(cb: TransformCallback): void {
    try {
      const rest = this.decoder.decode();
      cb(null, rest);
    } catch {
      cb(new InputError('not valid UTF-8 text (truncated character at end of file)', this.file, this.line));
    }
  }
}

const CANDIDATES = ['\t', ',', ';', '|'];

/** The separator that appears most on a line (tab, comma, semicolon or pipe); comma when none appears. */
export function detectDelimiter(firstLine: string): string {
  let best = ',';
  let bestCount = 0;
  for (const d of CANDIDATES) {
    const n = firstLine.split(d).length - 1;
    if (n > bestCount) {
      best = d;
      bestCount = n;
    }
  }
  return best;
}

/** The first line of a file (for delimiter and header detection). */
export async function readFirstLine(file: string): Promise<string> {
  const stream = createReadStream(file, { start: 0, end: 65535 });
  let text = '';
  for await (const chunk of stream) {
    text += (chunk as Buffer).toString('latin1');
    const nl = text.indexOf('\n');
    if (nl >= 0) {
      stream.destroy();
      return text.slice(0, nl).replace(/\r$/, '');
    }
  }
  return text.replace(/\r$/, '');
}

export function checkReadable(file: string): void {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new InputError('not a file', file);
    size = st.size;
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError('cannot read: no such file', file);
  }
  if (size === 0) throw new InputError('the file is empty', file);
}

/** Whether a file is plain: no quote (or quotes are off) and no carriage return, so lines split as they are. */
export async function isPlain(file: string, noQuotes: boolean): Promise<boolean> {
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>)
    if ((!noQuotes && chunk.indexOf(0x22) >= 0) || chunk.indexOf(0x0d) >= 0) return false;
  return true;
}

/**
 * The records of a plain file (isPlain): each line split at the delimiter, as csv-parse would give them
 * (a BOM dropped, blank lines skipped), at a fraction of its cost.
 */
async function* plainRecords(file: string, delimiter: string): AsyncGenerator<DelimitedRecord[]> {
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  const source = raw.pipe(new StrictUtf8(file, true));
  raw.on('error', (err: Error) => source.destroy(err));
  let rest = '';
  let line = 0;
  // a line's fields, cut straight from the chunk's text (no string for the line itself)
  const record = (text: string, start = 0, end = text.length) => {
    line++;
    const fields: string[] = [];
    let at = start;
    for (let d = text.indexOf(delimiter, at); d >= 0 && d < end; d = text.indexOf(delimiter, at)) {
      fields.push(text.slice(at, d));
      at = d + delimiter.length;
    }
    fields.push(text.slice(at, end));
    return fields.length === 1 && fields[0]!.trim().length === 0 ? undefined : { line, fields };
  };
  for await (const chunk of source as AsyncIterable<string>) {
    const text = line === 0 && rest.length === 0 ? chunk.replace(/^\uFEFF/, '') : rest + chunk;
    let start = 0;
    const out: DelimitedRecord[] = [];
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const r = record(text, start, nl);
      start = nl + 1;
      if (r) out.push(r);
    }
    rest = text.slice(start);
    yield out;
  }
  const last = rest.length > 0 ? record(rest) : undefined;
  if (last) yield [last];
}

/** The records one at a time (see readDelimitedRuns). */
export async function* readDelimited(
  file: string,
  options: DelimitedOptions = {},
): AsyncGenerator<DelimitedRecord> {
  for await (const run of readDelimitedRuns(file, options)) yield* run;
}

/**
 * The records in runs of consecutive ones (a run per chunk of a plain file, one record at a time through
 * csv-parse): a large file's reader awaits once per run, not once per record.
 */
export async function* readDelimitedRuns(
  file: string,
  options: DelimitedOptions = {},
): AsyncGenerator<DelimitedRecord[]> {
  checkReadable(file);
  const delimiter = options.delimiter ?? detectDelimiter(await readFirstLine(file));
  if (
    options.encoding !== 'latin1' &&
    delimiter.length > 0 &&
    (await isPlain(file, options.noQuotes === true))
  ) {
    yield* plainRecords(file, delimiter);
    return;
  }
  const source =
    options.encoding === 'latin1'
      ? createReadStream(file, { encoding: 'latin1', highWaterMark: 1 << 20 })
      : createReadStream(file, { highWaterMark: 1 << 20 }).pipe(new StrictUtf8(file));
  // Line numbers are counted here rather than with csv-parse's `info` option, which costs more than the
  // parse itself: one line per record, plus the newlines inside quoted fields; empty lines are skipped.
  const parser = source.pipe(
    parse({
      delimiter,
      quote: options.noQuotes ? false : '"',
      skip_empty_lines: false,
      relax_column_count: true,
      bom: true,
    }),
  );
  source.on('error', (err: Error) => parser.destroy(err));
  let line = 0;
  try {
    for await (const fields of parser as AsyncIterable<string[]>) {
      line++;
      const start = line;
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i]!;
        if (f.length > 0 && f.indexOf('\n') >= 0) line += f.split('\n').length - 1;
      }
      if (fields.length === 1 && fields[0]!.trim().length === 0) continue;
      yield [{ line: start, fields }];
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    const e = err as CsvError & { lines?: number };
    throw new InputError(`malformed ${delimiter === '\t' ? 'TSV' : 'CSV'}: ${e.message}`, file, e.lines);
  }
}

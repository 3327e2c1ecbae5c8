/**
 * LightGBM's text data files (LightGBM src/io/parser.cpp, parser.hpp, dataset_loader.cpp SetHeader,
 * metadata.cpp LoadQueryBoundaries): libsvm (`label idx:value ...`, absent entries are 0), TSV and CSV
 * (format detected from the first lines as LightGBM does: a colon means libsvm, else a tab or comma count
 * equal on the first lines), `header=true`, `label_column` (index or `name:`), `ignore_column` and
 * `categorical_feature` (feature indices with the label not counted, or `name:a,b`), `group_column`, and a
 * `.query` file beside the data holding query sizes. Numbers are parsed with LightGBM's own Common::Atof
 * (not always correctly rounded, so reproduced digit for digit); `na`/`nan`/`null` and empty fields are
 * missing (NaN); |x| <= kZeroThreshold reads as 0, as LightGBM drops such entries.
 *
 * The result is dense and row-major: values[r * numFeatures + f], NaN for missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { InputError, UsageError } from '../../../errors.js';
import { K_ZERO_THRESHOLD } from '../meta.js';

export type DataFormat = 'libsvm' | 'tsv' | 'csv';

export interface DataFile {
  path: string;
  format: DataFormat;
  numRows: number;
  numFeatures: number;
  /** Row-major numRows x numFeatures; NaN is missing. */
  values: Float64Array;
  /** Labels as LightGBM stores them (float32); zeros when the file has no label column. */
  labels: Float32Array;
  hasLabel: boolean;
  /** Header names without the label column, or Column_0.. as LightGBM names them. */
  featureNames: string[];
  /** Feature indices declared categorical (sorted). */
  categoricalFeatures: number[];
  /** Feature indices that must not be used (ignore_column, group_column); their values are set to 0. */
  ignoredFeatures: number[];
  /** Query i is rows [queryBoundaries[i], queryBoundaries[i+1]); absent without a `.query` file or group column. */
  queryBoundaries?: Int32Array;
  /** The same as query sizes, in row order (what the trainer's DenseData takes). */
  groups?: Int32Array;
}

export interface ReadDataOptions {
  header?: boolean;
  /** LightGBM label_column: a column index (all columns counted) or `name:col`; default column 0. */
  labelColumn?: string;
  ignoreColumn?: string;
  categoricalFeature?: string;
  /** LightGBM group_column: query ids in a column (consecutive equal ids form a query). */
  groupColumn?: string;
  /**
   * Align the features with another data set's (validation data): a libsvm file is padded or cut to this
   * many features, a TSV/CSV file must have exactly this many.
   */
  numFeatures?: number;
  /**
   * Prediction input for a model (LightGBM's Predictor): with a header, columns are matched to the model's
   * features by name; without, a label column is assumed only when the column count differs from the
   * model's feature count. No query file is read.
   */
  model?: { featureNames: readonly string[]; labelIndex: number };
  /** Read `<path>.query` when present (default true, except for prediction). */
  readQueryFile?: boolean;
}

/** Common::Pow as LightGBM computes it (repeated products: the rounding must match). */
function lgbPow(base: number, power: number): number {
  if (power < 0) return 1 / lgbPow(base, -power);
  if (power === 0) return 1;
  if (power % 2 === 0) return lgbPow(base * base, power / 2);
  if (power % 3 === 0) return lgbPow(base * base * base, power / 3);
  return base * lgbPow(base, power - 1);
}

const C0 = 48;
const C9 = 57;

/**
 * LightGBM's Common::Atof over s[start, end): returns the value, or undefined when the text is not a number
 * (LightGBM stops with "Unknown token"). Leading/trailing spaces are allowed; an empty field is NaN.
 */
export function lgbAtof(s: string, start = 0, end = s.length): number | undefined {
  let p = start;
  while (p < end && s.charCodeAt(p) === 32) p++;
  let sign = 1;
  let c = p < end ? s.charCodeAt(p) : 0;
  if (c === 45) {
    sign = -1;
    p++;
  } else if (c === 43) p++;
  c = p < end ? s.charCodeAt(p) : 0;
  let out: number;
  if ((c >= C0 && c <= C9) || c === 46 || c === 101 || c === 69) {
    let value = 0;
    for (; p < end && (c = s.charCodeAt(p)) >= C0 && c <= C9; p++) value = value * 10 + (c - C0);
    if (p < end && s.charCodeAt(p) === 46) {
      let right = 0;
      let nn = 0;
      p++;
      for (; p < end && (c = s.charCodeAt(p)) >= C0 && c <= C9; p++) {
        right = c - C0 + right * 10;
        nn++;
      }
      value += right / lgbPow(10, nn);
    }
    let frac = false;
    let scale = 1;
    c = p < end ? s.charCodeAt(p) : 0;
    if (c === 101 || c === 69) {
      p++;
      c = p < end ? s.charCodeAt(p) : 0;
      if (c === 45) {
        frac = true;
        p++;
      } else if (c === 43) p++;
      let expon = 0;
      for (; p < end && (c = s.charCodeAt(p)) >= C0 && c <= C9; p++) expon = (expon * 10 + (c - C0)) >>> 0;
      if (expon > 308) expon = 308;
      while (expon >= 50) {
        scale *= 1e50;
        expon -= 50;
      }
      while (expon >= 8) {
        scale *= 1e8;
        expon -= 8;
      }
      while (expon > 0) {
        scale *= 10;
        expon -= 1;
      }
    }
    out = sign * (frac ? value / scale : value * scale);
  } else {
    let q = p;
    while (q < end) {
      const d = s.charCodeAt(q);
      if (d === 32 || d === 9 || d === 44 || d === 10 || d === 13 || d === 58) break;
      q++;
    }
    out = Number.NaN;
    if (q > p) {
      const tok = s.slice(p, q).toLowerCase();
      if (tok === 'na' || tok === 'nan' || tok === 'null') out = Number.NaN;
      else if (tok === 'inf' || tok === 'infinity') out = sign * 1e308;
      else return undefined;
      p = q;
    }
  }
  while (p < end && s.charCodeAt(p) === 32) p++;
  return p === end ? out : undefined;
}

interface RawLine {
  text: string;
  no: number;
}

function readLines(path: string): RawLine[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read the data file: ${(e as Error).message}`, path);
  }
  const raw = text.split('\n');
  const out: RawLine[] = [];
  for (let i = 0; i < raw.length; i++) {
    let t = raw[i]!;
    if (t.endsWith('\r')) t = t.slice(0, -1);
    if (t.trim().length === 0) continue;
    out.push({ text: t, no: i + 1 });
  }
  return out;
}

function count(s: string, ch: string): number {
  let n = 0;
  for (let i = s.indexOf(ch); i >= 0; i = s.indexOf(ch, i + 1)) n++;
  return n;
}

/** LightGBM's GetDataType over the first (up to 32) data lines. */
export function detectFormat(lines: readonly string[]): DataFormat | undefined {
  if (lines.length === 0) return undefined;
  const first = lines[0]!;
  if (lines.length === 1) {
    if (first.includes(':')) return 'libsvm';
    if (first.includes('\t')) return 'tsv';
    if (first.includes(',')) return 'csv';
    return undefined;
  }
  const second = lines[1]!;
  if (first.includes(':') || second.includes(':')) return 'libsvm';
  const tabs = count(first, '\t');
  const commas = count(first, ',');
  let type: DataFormat | undefined;
  if (tabs > 0 && tabs === count(second, '\t')) type = 'tsv';
  else if (commas > 0 && commas === count(second, ',')) type = 'csv';
  if (type) {
    const ch = type === 'tsv' ? '\t' : ',';
    const want = type === 'tsv' ? tabs : commas;
    for (let i = 2; i < lines.length; i++) if (count(lines[i]!, ch) !== want) return undefined;
  }
  return type;
}

function parseIndexList(spec: string, what: string): number[] {
  return spec
    .split(',')
    .filter((t) => t.trim().length > 0)
    .map((t) => {
      if (!/^\s*\d+\s*$/.test(t))
        throw new UsageError(`${what}: "${t}" is not a column number (use name:col for a column name)`);
      return Number(t);
    });
}

/** Resolves `name:a,b` or `1,2` against feature names (label excluded). */
function resolveFeatures(
  spec: string | undefined,
  names: readonly string[] | undefined,
  what: string,
): number[] {
  if (!spec) return [];
  if (spec.startsWith('name:')) {
    if (!names) throw new UsageError(`${what}=${spec}: column names need header=true`);
    return spec
      .slice(5)
      .split(',')
      .filter((n) => n.length > 0)
      .map((n) => {
        const i = names.indexOf(n);
        if (i < 0) throw new UsageError(`${what}: column "${n}" is not in the data file's header`);
        return i;
      });
  }
  return parseIndexList(spec, what);
}

function numberAt(path: string, line: RawLine, s: number, e: number, column: number | string): number {
  const v = lgbAtof(line.text, s, e);
  if (v === undefined)
    throw new InputError(`"${line.text.slice(s, e).slice(0, 40)}" is not a number`, path, line.no, column);
  return v;
}

/** Reads `<data>.query` (one query size per line) into boundaries. */
export function readQueryFile(queryPath: string, numRows: number, dataPath: string): Int32Array {
  const lines = readLines(queryPath);
  const b = new Int32Array(lines.length + 1);
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.text.trim();
    if (!/^\d+$/.test(t)) throw new InputError(`"${t}" is not a query size`, queryPath, lines[i]!.no);
    b[i + 1] = b[i]! + Number(t);
  }
  if (b[lines.length] !== numRows)
    throw new InputError(
      `query sizes add up to ${b[lines.length]} rows but ${dataPath} has ${numRows}`,
      queryPath,
      lines[lines.length - 1]?.no,
    );
  return b;
}

/** Reads a LightGBM data file into a dense row-major matrix with labels and query boundaries. */
export function readDataFile(path: string, options: ReadDataOptions = {}): DataFile {
  const all = readLines(path);
  const header = options.header === true;
  let headerNames: string[] | undefined;
  let dataLines = all;
  if (header) {
    if (all.length === 0) throw new InputError('the file is empty (header=true needs a header line)', path);
    headerNames = all[0]!.text.split(/[\t,]/);
    dataLines = all.slice(1);
  }
  if (dataLines.length === 0) throw new InputError('the file has no data rows', path);
  const format = detectFormat(dataLines.slice(0, 32).map((l) => l.text));
  if (!format)
    throw new InputError(
      'unknown data format: only CSV, TSV and libsvm files are supported (could not detect the separator)',
      path,
      dataLines[0]!.no,
    );
  for (const ext of ['weight', 'init']) {
    if (!options.model && existsSync(`${path}.${ext}`))
      throw new InputError(
        `${path}.${ext} exists but ${ext === 'weight' ? 'weights' : 'initial scores'} are not supported`,
        path,
      );
  }
  const result =
    format === 'libsvm'
      ? readLibsvm(path, dataLines, options)
      : readDelimited(path, format, dataLines, headerNames, options);
  const readQuery = options.readQueryFile ?? !options.model;
  if (readQuery && !result.queryBoundaries && existsSync(`${path}.query`))
    result.queryBoundaries = readQueryFile(`${path}.query`, result.numRows, path);
  const b = result.queryBoundaries;
  if (b) {
    result.groups = new Int32Array(b.length - 1);
    for (let q = 0; q + 1 < b.length; q++) result.groups[q] = b[q + 1]! - b[q]!;
  }
  return result;
}

function readLibsvm(path: string, lines: RawLine[], options: ReadDataOptions): DataFile {
  if (options.labelColumn && options.labelColumn !== '0')
    throw new UsageError(
      `label_column=${options.labelColumn}: the label must be the first column in a libsvm file`,
    );
  if (options.groupColumn)
    throw new UsageError('group_column is not supported for libsvm files (use a .query file)');
  // LightGBM: a first token without a colon is the label (for prediction, checked on the first line).
  const first = lines[0]!.text.trim();
  const sp = first.search(/[ \t]/);
  const colon = first.indexOf(':');
  const hasLabel = !options.model || sp < 0 || sp < colon || colon < 0;
  const n = lines.length;
  const labels = new Float32Array(n);
  // First pass: entries, and the largest feature index.
  const rowStart = new Int32Array(n + 1);
  const idx: number[] = [];
  const val: number[] = [];
  let maxIdx = -1;
  for (let r = 0; r < n; r++) {
    const line = lines[r]!;
    const t = line.text;
    let p = 0;
    const end = t.length;
    const skip = () => {
      while (p < end && (t.charCodeAt(p) === 32 || t.charCodeAt(p) === 9)) p++;
    };
    skip();
    if (hasLabel) {
      let q = p;
      while (q < end && t.charCodeAt(q) !== 32 && t.charCodeAt(q) !== 9) q++;
      labels[r] = numberAt(path, line, p, q, 'label');
      p = q;
      skip();
    }
    while (p < end) {
      let q = p;
      while (q < end && t.charCodeAt(q) !== 58 && t.charCodeAt(q) !== 32 && t.charCodeAt(q) !== 9) q++;
      if (q >= end || t.charCodeAt(q) !== 58)
        throw new InputError(`"${t.slice(p, q)}" is not index:value`, path, line.no);
      const key = t.slice(p, q);
      if (!/^\d+$/.test(key)) throw new InputError(`"${key}" is not a feature index`, path, line.no);
      const f = Number(key);
      p = q + 1;
      q = p;
      while (q < end && t.charCodeAt(q) !== 32 && t.charCodeAt(q) !== 9) q++;
      let v = numberAt(path, line, p, q, f);
      if (Math.abs(v) <= K_ZERO_THRESHOLD) v = 0;
      idx.push(f);
      val.push(v);
      if (f > maxIdx) maxIdx = f;
      p = q;
      skip();
    }
    rowStart[r + 1] = idx.length;
  }
  const numFeatures = options.model?.featureNames.length ?? options.numFeatures ?? Math.max(maxIdx + 1, 1);
  const values = new Float64Array(n * numFeatures);
  for (let r = 0; r < n; r++) {
    const base = r * numFeatures;
    for (let j = rowStart[r]!; j < rowStart[r + 1]!; j++) {
      const f = idx[j]!;
      if (f < numFeatures) values[base + f] = val[j]!;
    }
  }
  const featureNames = options.model
    ? [...options.model.featureNames]
    : Array.from({ length: numFeatures }, (_, i) => `Column_${i}`);
  const ignoredFeatures = resolveFeatures(options.ignoreColumn, undefined, 'ignore_column');
  const categoricalFeatures = resolveFeatures(options.categoricalFeature, undefined, 'categorical_feature');
  checkRange(ignoredFeatures, numFeatures, 'ignore_column');
  checkRange(categoricalFeatures, numFeatures, 'categorical_feature');
  zeroColumns(values, n, numFeatures, ignoredFeatures);
  return {
    path,
    format: 'libsvm',
    numRows: n,
    numFeatures,
    values,
    labels,
    hasLabel,
    featureNames,
    categoricalFeatures: [...new Set(categoricalFeatures)].sort((a, b) => a - b),
    ignoredFeatures: [...new Set(ignoredFeatures)].sort((a, b) => a - b),
  };
}

function checkRange(list: number[], numFeatures: number, what: string): void {
  for (const f of list)
    if (f >= numFeatures)
      throw new UsageError(`${what}: feature ${f} does not exist (the data has ${numFeatures} features)`);
}

function zeroColumns(values: Float64Array, rows: number, numFeatures: number, cols: number[]): void {
  for (const f of cols) for (let r = 0; r < rows; r++) values[r * numFeatures + f] = 0;
}

function readDelimited(
  path: string,
  format: 'tsv' | 'csv',
  lines: RawLine[],
  headerNames: string[] | undefined,
  options: ReadDataOptions,
): DataFile {
  const sep = format === 'tsv' ? '\t' : ',';
  const numCols = count(lines[0]!.text, sep) + 1;
  if (headerNames && headerNames.length !== numCols)
    throw new InputError(
      `the header has ${headerNames.length} names but rows have ${numCols} columns`,
      path,
      1,
    );
  const n = lines.length;

  // Which column is the label, and which column feeds which feature.
  let labelCol = -1;
  let numFeatures: number;
  let featureNames: string[];
  const colToFeature = new Int32Array(numCols).fill(-1);
  if (options.model) {
    const mf = options.model.featureNames;
    numFeatures = mf.length;
    featureNames = [...mf];
    if (headerNames) {
      // LightGBM's Predictor: columns matched to the model's features by name, others unused.
      const seen = new Set<string>();
      for (let c = 0; c < numCols; c++) {
        if (seen.has(headerNames[c]!))
          throw new InputError(`column "${headerNames[c]}" appears twice`, path, 1);
        seen.add(headerNames[c]!);
        colToFeature[c] = mf.indexOf(headerNames[c]!);
      }
      const byPosition = headerNames.every((h, c) => mf.indexOf(h) < 0 || mf.indexOf(h) === c);
      if (byPosition) for (let c = 0; c < numCols; c++) colToFeature[c] = c < numFeatures ? c : -1;
    } else {
      labelCol = numCols === numFeatures ? -1 : options.model.labelIndex;
      if (numCols - (labelCol >= 0 ? 1 : 0) !== numFeatures)
        throw new InputError(
          `the data has ${numCols - (labelCol >= 0 ? 1 : 0)} feature columns but the model has ${numFeatures}`,
          path,
          lines[0]!.no,
        );
      for (let c = 0, f = 0; c < numCols; c++) if (c !== labelCol) colToFeature[c] = f++;
    }
  } else {
    const spec = options.labelColumn ?? '';
    if (spec.startsWith('name:')) {
      if (!headerNames) throw new UsageError(`label_column=${spec}: a column name needs header=true`);
      labelCol = headerNames.indexOf(spec.slice(5));
      if (labelCol < 0)
        throw new UsageError(`label_column: column "${spec.slice(5)}" is not in the header of ${path}`);
    } else if (spec !== '') {
      if (!/^\d+$/.test(spec))
        throw new UsageError(`label_column: "${spec}" is not a column number (use name:col)`);
      labelCol = Number(spec);
    } else labelCol = 0;
    if (labelCol >= numCols) throw new UsageError(`label_column=${labelCol}: ${path} has ${numCols} columns`);
    numFeatures = numCols - 1;
    if (options.numFeatures !== undefined && options.numFeatures !== numFeatures)
      throw new InputError(
        `the data has ${numFeatures} feature columns but the training data has ${options.numFeatures}`,
        path,
      );
    featureNames = headerNames
      ? headerNames.filter((_, c) => c !== labelCol)
      : Array.from({ length: numFeatures }, (_, i) => `Column_${i}`);
    for (let c = 0, f = 0; c < numCols; c++) if (c !== labelCol) colToFeature[c] = f++;
  }

  const names = headerNames && !options.model ? featureNames : options.model ? featureNames : undefined;
  const ignoredFeatures = resolveFeatures(options.ignoreColumn, names, 'ignore_column');
  const categoricalFeatures = resolveFeatures(options.categoricalFeature, names, 'categorical_feature');
  let groupFeature = -1;
  if (options.groupColumn) {
    const g = resolveFeatures(options.groupColumn, names, 'group_column');
    if (g.length !== 1) throw new UsageError('group_column names one column');
    groupFeature = g[0]!;
    ignoredFeatures.push(groupFeature);
  }
  checkRange(ignoredFeatures, numFeatures, 'ignore_column');
  checkRange(categoricalFeatures, numFeatures, 'categorical_feature');

  const values = new Float64Array(n * numFeatures);
  const labels = new Float32Array(n);
  const colName = (c: number) => (headerNames ? headerNames[c]! : c);
  for (let r = 0; r < n; r++) {
    const line = lines[r]!;
    const t = line.text;
    const base = r * numFeatures;
    let p = 0;
    let c = 0;
    for (;;) {
      let q = t.indexOf(sep, p);
      if (q < 0) q = t.length;
      if (c >= numCols) throw new InputError(`more than ${numCols} columns`, path, line.no);
      const f = colToFeature[c]!;
      if (c === labelCol) labels[r] = numberAt(path, line, p, q, colName(c));
      else if (f >= 0) {
        let v = numberAt(path, line, p, q, colName(c));
        if (Math.abs(v) <= K_ZERO_THRESHOLD) v = 0;
        values[base + f] = v;
      }
      c++;
      if (q >= t.length) break;
      p = q + 1;
    }
    if (c !== numCols) throw new InputError(`${c} columns, expected ${numCols}`, path, line.no);
  }
  let queryBoundaries: Int32Array | undefined;
  if (groupFeature >= 0) {
    const b: number[] = [0];
    for (let r = 1; r < n; r++)
      if (!Object.is(values[r * numFeatures + groupFeature], values[(r - 1) * numFeatures + groupFeature]))
        b.push(r);
    b.push(n);
    queryBoundaries = Int32Array.from(b);
  }
  zeroColumns(values, n, numFeatures, ignoredFeatures);
  const out: DataFile = {
    path,
    format,
    numRows: n,
    numFeatures,
    values,
    labels,
    hasLabel: labelCol >= 0,
    featureNames,
    categoricalFeatures: [...new Set(categoricalFeatures)].sort((a, b) => a - b),
    ignoredFeatures: [...new Set(ignoredFeatures)].sort((a, b) => a - b),
  };
  if (queryBoundaries) out.queryBoundaries = queryBoundaries;
  return out;
}

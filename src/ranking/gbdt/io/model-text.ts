/**
 * LightGBM's text model format (v4), read and written as LightGBM does it (LightGBM
 * src/boosting/gbdt_model_text.cpp GBDT::SaveModelToString / LoadModelFromString and src/io/tree.cpp
 * Tree::ToString / Tree(const char*)). Layout:
 *
 *   tree / version=v4 / num_class / num_tree_per_iteration / label_index / max_feature_idx / objective /
 *   feature_names / feature_infos / tree_sizes, a blank line, then one `Tree=i` block per tree (key=value
 *   lines, a blank line), `end of trees`, `feature_importances:` (split counts), `parameters:` ... `end of
 *   parameters`.
 *
 * Saving reproduces LightGBM's bytes: thresholds, leaf values and leaf weights with 17 significant digits
 * (`%.17g`, exact round trip), split gains and internal values/weights with 6 (`%g`), and tree_sizes giving
 * each tree block's length in bytes. Linear trees (is_linear=1) are refused.
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../../../errors.js';
import { DECISION_CATEGORICAL_MASK, type GbdtModel, type Tree } from '../model.js';
import { formatG, parseModelNumber } from './format-number.js';

interface Line {
  text: string;
  /** 1-based line number in the file. */
  no: number;
}

function splitLines(text: string): Line[] {
  const raw = text.split('\n');
  const out: Line[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const t = raw[i]!;
    out[i] = { text: t.endsWith('\r') ? t.slice(0, -1) : t, no: i + 1 };
  }
  return out;
}

class Reader {
  constructor(
    readonly file: string,
    readonly lines: Line[],
  ) {}
  pos = 0;
  error(message: string, line?: number): InputError {
    return new InputError(message, this.file, line);
  }
}

function parseIntStrict(r: Reader, tok: string, line: number, what: string): number {
  if (!/^[+-]?\d+$/.test(tok)) throw r.error(`${what}: "${tok}" is not an integer`, line);
  return Number(tok);
}

function parseNumbers(r: Reader, value: string, n: number, line: number, what: string): number[] {
  const toks = value.length === 0 ? [] : value.split(' ').filter((s) => s.length > 0);
  if (toks.length !== n) throw r.error(`${what} has ${toks.length} values, expected ${n}`, line);
  return toks.map((t) => {
    const x = parseModelNumber(t);
    if (x === undefined) throw r.error(`${what}: "${t}" is not a number`, line);
    return x;
  });
}

function parseInts(r: Reader, value: string, n: number, line: number, what: string): number[] {
  const toks = value.length === 0 ? [] : value.split(' ').filter((s) => s.length > 0);
  if (toks.length !== n) throw r.error(`${what} has ${toks.length} values, expected ${n}`, line);
  return toks.map((t) => parseIntStrict(r, t, line, what));
}

/** Parses one `Tree=` block: key=value lines up to a blank line. */
function parseTree(r: Reader, index: number, header: Line, maxFeatureIdx: number): Tree {
  const kv = new Map<string, { value: string; no: number }>();
  while (r.pos < r.lines.length) {
    const line = r.lines[r.pos]!;
    if (line.text.length === 0) break;
    const eq = line.text.indexOf('=');
    if (eq <= 0) throw r.error(`tree ${index}: expected key=value, got "${line.text.slice(0, 60)}"`, line.no);
    kv.set(line.text.slice(0, eq), { value: line.text.slice(eq + 1), no: line.no });
    r.pos++;
  }
  const where = `tree ${index}`;
  const need = (key: string) => {
    const e = kv.get(key);
    if (!e) throw r.error(`${where} has no ${key} field`, header.no);
    return e;
  };
  const opt = (key: string) => kv.get(key);

  const nl = need('num_leaves');
  const numLeaves = parseIntStrict(r, nl.value, nl.no, `${where} num_leaves`);
  if (numLeaves < 1) throw r.error(`${where}: num_leaves must be at least 1`, nl.no);
  const nc = need('num_cat');
  const numCat = parseIntStrict(r, nc.value, nc.no, `${where} num_cat`);
  const lin = opt('is_linear');
  if (lin && lin.value.trim() !== '0')
    throw r.error(
      `${where} is a linear tree (is_linear=${lin.value}); linear trees (linear_tree=true) are not supported`,
      lin.no,
    );
  const n = numLeaves - 1;
  const lv = need('leaf_value');
  const leafValue = Float64Array.from(parseNumbers(r, lv.value, numLeaves, lv.no, `${where} leaf_value`));
  const sh = opt('shrinkage');
  let shrinkage = 1;
  if (sh) {
    const s = parseModelNumber(sh.value);
    if (s === undefined) throw r.error(`${where} shrinkage: "${sh.value}" is not a number`, sh.no);
    shrinkage = s;
  }
  const ints = (key: string, len: number, required: boolean): Int32Array => {
    const e = required ? need(key) : opt(key);
    if (!e) return new Int32Array(len);
    return Int32Array.from(parseInts(r, e.value, len, e.no, `${where} ${key}`));
  };
  const nums = (key: string, len: number, required: boolean): Float64Array => {
    const e = required ? need(key) : opt(key);
    if (!e) return new Float64Array(len);
    return Float64Array.from(parseNumbers(r, e.value, len, e.no, `${where} ${key}`));
  };
  const internal = numLeaves > 1;
  if (!internal) {
    // As LightGBM: a one-leaf tree is num_leaves, num_cat, leaf_value and shrinkage; other fields are ignored.
    return {
      numLeaves,
      numCat: 0,
      splitFeature: new Int32Array(0),
      splitGain: new Float64Array(0),
      threshold: new Float64Array(0),
      decisionType: new Uint8Array(0),
      leftChild: new Int32Array(0),
      rightChild: new Int32Array(0),
      internalValue: new Float64Array(0),
      internalWeight: new Float64Array(0),
      internalCount: new Int32Array(0),
      leafValue,
      leafWeight: new Float64Array(numLeaves),
      leafCount: new Int32Array(numLeaves),
      catBoundaries: new Int32Array(0),
      catThreshold: new Uint32Array(0),
      shrinkage,
    };
  }
  const leftChild = ints('left_child', n, internal);
  const rightChild = ints('right_child', n, internal);
  const splitFeature = ints('split_feature', n, internal);
  const threshold = nums('threshold', n, internal);
  // LightGBM keeps split gains as float32.
  const splitGain = nums('split_gain', n, false).map(Math.fround);
  const internalValue = nums('internal_value', n, false);
  const internalWeight = nums('internal_weight', n, false);
  const internalCount = ints('internal_count', n, false);
  const leafWeight = nums('leaf_weight', numLeaves, false);
  const leafCount = ints('leaf_count', numLeaves, false);
  const dtRaw = ints('decision_type', n, false);
  const decisionType = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const d = dtRaw[i]!;
    if (d < 0 || d > 15)
      throw r.error(`${where} decision_type: ${d} is out of range`, opt('decision_type')!.no);
    decisionType[i] = d;
  }
  let catBoundaries = new Int32Array(0);
  let catThreshold = new Uint32Array(0);
  if (numCat > 0) {
    const cb = need('cat_boundaries');
    catBoundaries = Int32Array.from(parseInts(r, cb.value, numCat + 1, cb.no, `${where} cat_boundaries`));
    const ct = need('cat_threshold');
    const total = catBoundaries[numCat]!;
    const vals = parseNumbers(r, ct.value, total, ct.no, `${where} cat_threshold`);
    catThreshold = Uint32Array.from(vals);
    for (let i = 0; i < numCat; i++)
      if (catBoundaries[i]! > catBoundaries[i + 1]! || catBoundaries[i]! < 0)
        throw r.error(`${where} cat_boundaries are not increasing`, cb.no);
  }

  // Structure checks, so that prediction can trust the arrays (every node reached once, no cycles).
  if (internal) {
    const sf = kv.get('split_feature')!.no;
    for (let i = 0; i < n; i++) {
      const f = splitFeature[i]!;
      if (f < 0 || f > maxFeatureIdx)
        throw r.error(`${where} split_feature: ${f} is outside 0..max_feature_idx (${maxFeatureIdx})`, sf);
      if ((decisionType[i]! & DECISION_CATEGORICAL_MASK) !== 0) {
        const c = threshold[i]!;
        if (!Number.isInteger(c) || c < 0 || c >= numCat)
          throw r.error(
            `${where} node ${i}: categorical threshold ${c} is not a category set index`,
            header.no,
          );
      }
    }
    const seenNode = new Uint8Array(n);
    const seenLeaf = new Uint8Array(numLeaves);
    const stack = [0];
    seenNode[0] = 1;
    let leaves = 0;
    while (stack.length > 0) {
      const node = stack.pop()!;
      for (const side of ['left_child', 'right_child'] as const) {
        const c = side === 'left_child' ? leftChild[node]! : rightChild[node]!;
        const at = kv.get(side)!.no;
        if (c >= 0) {
          if (c >= n || seenNode[c]) throw r.error(`${where}: child ${c} of node ${node} is invalid`, at);
          seenNode[c] = 1;
          stack.push(c);
        } else {
          const leaf = ~c;
          if (leaf >= numLeaves || seenLeaf[leaf])
            throw r.error(
              `${where}: leaf ${leaf} under node ${node} is invalid (used twice or out of range)`,
              at,
            );
          seenLeaf[leaf] = 1;
          leaves++;
        }
      }
    }
    if (leaves !== numLeaves)
      throw r.error(`${where}: ${numLeaves - leaves} leaves are unreachable`, header.no);
  }
  return {
    numLeaves,
    numCat,
    splitFeature,
    splitGain,
    threshold,
    decisionType,
    leftChild,
    rightChild,
    internalValue,
    internalWeight,
    internalCount,
    leafValue,
    leafWeight,
    leafCount,
    catBoundaries,
    catThreshold,
    shrinkage,
  };
}

/** Parses a LightGBM text model. `file` only names the source in error messages. */
export function parseModelText(text: string, file = '<model>'): GbdtModel {
  const r = new Reader(file, splitLines(text));
  const first = r.lines.find((l) => l.text.trim().length > 0);
  if (first?.text.trim() !== 'tree')
    throw r.error('not a LightGBM text model (the first line should be "tree")', first?.no ?? 1);
  const header = new Map<string, { value: string; no: number }>();
  r.pos = r.lines.indexOf(first) + 1;
  for (; r.pos < r.lines.length; r.pos++) {
    const line = r.lines[r.pos]!;
    if (line.text.length === 0) continue;
    if (line.text.startsWith('Tree=') || line.text === 'end of trees') break;
    const eq = line.text.indexOf('=');
    const key = eq < 0 ? line.text : line.text.slice(0, eq);
    header.set(key, { value: eq < 0 ? '' : line.text.slice(eq + 1), no: line.no });
  }
  const need = (key: string) => {
    const e = header.get(key);
    if (!e) throw r.error(`the model header has no ${key}`, first.no);
    return e;
  };
  const int = (key: string) => {
    const e = need(key);
    return parseIntStrict(r, e.value.trim(), e.no, key);
  };
  const numClass = int('num_class');
  const numTreePerIteration = header.has('num_tree_per_iteration') ? int('num_tree_per_iteration') : numClass;
  if (numTreePerIteration < 1)
    throw r.error('num_tree_per_iteration must be at least 1', need('num_class').no);
  const labelIndex = int('label_index');
  const maxFeatureIdx = int('max_feature_idx');
  const fn = need('feature_names');
  const featureNames = fn.value.split(' ');
  if (featureNames.length !== maxFeatureIdx + 1)
    throw r.error(`feature_names has ${featureNames.length} names, expected ${maxFeatureIdx + 1}`, fn.no);
  const fi = need('feature_infos');
  const featureInfos = fi.value.split(' ');
  if (featureInfos.length !== maxFeatureIdx + 1)
    throw r.error(`feature_infos has ${featureInfos.length} entries, expected ${maxFeatureIdx + 1}`, fi.no);
  let monotoneConstraints: number[] | undefined;
  const mc = header.get('monotone_constraints');
  if (mc) monotoneConstraints = parseInts(r, mc.value, maxFeatureIdx + 1, mc.no, 'monotone_constraints');
  const ts = header.get('tree_sizes');

  const trees: Tree[] = [];
  for (; r.pos < r.lines.length; r.pos++) {
    const line = r.lines[r.pos]!;
    if (line.text.length === 0) continue;
    if (line.text === 'end of trees') break;
    const m = /^Tree=(\d+)$/.exec(line.text);
    if (!m)
      throw r.error(
        `expected "Tree=${trees.length}" or "end of trees", got "${line.text.slice(0, 60)}"`,
        line.no,
      );
    if (Number(m[1]) !== trees.length)
      throw r.error(`expected Tree=${trees.length}, got ${line.text}`, line.no);
    r.pos++;
    trees.push(parseTree(r, trees.length, line, maxFeatureIdx));
  }
  if (r.pos >= r.lines.length)
    throw r.error('the model has no "end of trees" line (truncated file?)', r.lines.length);
  if (ts) {
    const sizes = ts.value.split(' ').filter((s) => s.length > 0);
    if (sizes.length !== trees.length)
      throw r.error(`tree_sizes lists ${sizes.length} trees but the model has ${trees.length}`, ts.no);
  }
  if (trees.length % numTreePerIteration !== 0)
    throw r.error(
      `${trees.length} trees is not a multiple of num_tree_per_iteration (${numTreePerIteration})`,
    );

  // After the trees: feature_importances (recomputed on save), parameters, parser.
  let parametersText: string | undefined;
  let parserText: string | undefined;
  let block: 'parameters' | 'parser' | undefined;
  let acc: string[] = [];
  for (r.pos++; r.pos < r.lines.length; r.pos++) {
    const t = r.lines[r.pos]!.text;
    if (t.length === 0) continue;
    if (t === 'parameters:' || t === 'parser:') {
      block = t === 'parameters:' ? 'parameters' : 'parser';
      acc = [];
    } else if (t === 'end of parameters' && block === 'parameters') {
      parametersText = acc.map((l) => `${l}\n`).join('');
      block = undefined;
    } else if (t === 'end of parser' && block === 'parser') {
      parserText = acc.map((l) => `${l}\n`).join('');
      block = undefined;
    } else if (block) {
      if (block === 'parameters' && /^\[linear_tree: 1\]/.test(t))
        throw r.error(
          'the model was trained with linear_tree=true; linear trees are not supported',
          r.lines[r.pos]!.no,
        );
      acc.push(t);
    }
  }
  const model: GbdtModel = {
    objective: header.get('objective')?.value ?? '',
    numClass,
    numTreePerIteration,
    labelIndex,
    maxFeatureIdx,
    featureNames,
    featureInfos,
    trees,
    version: header.get('version')?.value,
  };
  if (parametersText !== undefined) model.parametersText = parametersText;
  if (parserText !== undefined) model.parserText = parserText;
  if (header.has('average_output')) model.averageOutput = true;
  if (monotoneConstraints) model.monotoneConstraints = monotoneConstraints;
  return model;
}

/** Reads and parses a LightGBM text model file. */
export function loadModelFile(path: string): GbdtModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read the model: ${(e as Error).message}`, path);
  }
  return parseModelText(text, path);
}

function join(values: ArrayLike<number>, n: number, fmt: (x: number) => string): string {
  const parts: string[] = new Array(n);
  for (let i = 0; i < n; i++) parts[i] = fmt(values[i]!);
  return parts.join(' ');
}
const g17 = (x: number) => formatG(x, 17);
const g6 = (x: number) => formatG(x, 6);
const intStr = (x: number) => String(x);

/** One tree as Tree::ToString writes it (ending with a blank line). */
export function treeToString(t: Tree): string {
  const n = t.numLeaves - 1;
  let s = `num_leaves=${t.numLeaves}\nnum_cat=${t.numCat}\n`;
  s += `split_feature=${join(t.splitFeature, n, intStr)}\n`;
  s += `split_gain=${join(t.splitGain, n, (x) => g6(Math.fround(x)))}\n`;
  s += `threshold=${join(t.threshold, n, g17)}\n`;
  s += `decision_type=${join(t.decisionType, n, intStr)}\n`;
  s += `left_child=${join(t.leftChild, n, intStr)}\n`;
  s += `right_child=${join(t.rightChild, n, intStr)}\n`;
  s += `leaf_value=${join(t.leafValue, t.numLeaves, g17)}\n`;
  s += `leaf_weight=${join(t.leafWeight, t.numLeaves, g17)}\n`;
  s += `leaf_count=${join(t.leafCount, t.numLeaves, intStr)}\n`;
  s += `internal_value=${join(t.internalValue, n, g6)}\n`;
  s += `internal_weight=${join(t.internalWeight, n, g6)}\n`;
  s += `internal_count=${join(t.internalCount, n, intStr)}\n`;
  if (t.numCat > 0) {
    s += `cat_boundaries=${join(t.catBoundaries, t.numCat + 1, intStr)}\n`;
    s += `cat_threshold=${join(t.catThreshold, t.catThreshold.length, intStr)}\n`;
  }
  s += 'is_linear=0\n';
  s += `shrinkage=${g6(t.shrinkage)}\n\n`;
  return s;
}

/** Split-count importance per feature, counting splits with positive gain (LightGBM's type 0). */
function splitCounts(model: GbdtModel): number[] {
  const counts = new Array<number>(model.maxFeatureIdx + 1).fill(0);
  for (const t of model.trees)
    for (let i = 0; i < t.numLeaves - 1; i++)
      if (Math.fround(t.splitGain[i]!) > 0) counts[t.splitFeature[i]!]!++;
  return counts;
}

/**
 * Writes the model as LightGBM's SaveModelToString does, so that LightGBM loads it (and, for a model
 * LightGBM wrote, the output equals its input byte for byte).
 */
export function modelToText(model: GbdtModel): string {
  const trees = model.trees.map((t, i) => `Tree=${i}\n${treeToString(t)}\n`);
  let s = 'tree\nversion=v4\n';
  s += `num_class=${model.numClass}\n`;
  s += `num_tree_per_iteration=${model.numTreePerIteration}\n`;
  s += `label_index=${model.labelIndex}\n`;
  s += `max_feature_idx=${model.maxFeatureIdx}\n`;
  if (model.objective) s += `objective=${model.objective}\n`;
  if (model.averageOutput) s += 'average_output\n';
  s += `feature_names=${model.featureNames.join(' ')}\n`;
  if (model.monotoneConstraints) s += `monotone_constraints=${model.monotoneConstraints.join(' ')}\n`;
  s += `feature_infos=${model.featureInfos.join(' ')}\n`;
  s += `tree_sizes=${trees.map((t) => Buffer.byteLength(t, 'utf8')).join(' ')}\n\n`;
  s += trees.join('');
  s += 'end of trees\n';
  const counts = splitCounts(model);
  const order = counts
    .map((c, i) => ({ c, i }))
    .filter((x) => x.c > 0)
    .sort((a, b) => b.c - a.c || a.i - b.i);
  s += '\nfeature_importances:\n';
  for (const { c, i } of order) s += `${model.featureNames[i]}=${c}\n`;
  if (model.parametersText !== undefined && model.parametersText.length > 0)
    s += `\nparameters:\n${model.parametersText}\nend of parameters\n`;
  if (model.parserText !== undefined && model.parserText.length > 0)
    s += `\nparser:\n${model.parserText}\nend of parser\n`;
  return s;
}

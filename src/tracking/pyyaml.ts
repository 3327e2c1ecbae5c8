/**
 * The YAML of MLflow's meta.yaml files, byte for byte: a block mapping of scalars as PyYAML writes it
 * (`yaml.dump(data, default_flow_style=False, allow_unicode=True, sort_keys=True, Dumper=SafeDumper)`,
 * MLflow's write_yaml). Hand-written rather than a YAML library because the format is small and fixed,
 * and no JavaScript YAML writer makes PyYAML's choices: which strings it quotes (those its YAML 1.1
 * resolver would read as another type: `'0'`, `'yes'`, `'2026-01-01'`, `''`, or that start with an
 * indicator), single or double quotes, and where it folds a long value onto an indented line (after a
 * single space once the line is past 80 columns).
 *
 * Ported from PyYAML's emitter (analyze_scalar, choose_scalar_style, write_plain, write_single_quoted,
 * write_double_quoted) and resolver (the implicit tags of plain scalars), for scalars without line
 * breaks: keys and values MLflow's meta files hold. A double-quoted value (a string with a character
 * YAML cannot print plainly) is written without folding.
 */
import { RecoError } from '../errors.js';

export type YamlScalar = string | number | boolean | null;
/** A scalar, or an empty list (`tags: []`). */
export type YamlValue = YamlScalar | readonly [];

const BEST_WIDTH = 80;

// The YAML 1.1 implicit resolvers of PyYAML (resolver.py): a plain string matching one would read back
// as a bool, float, int, merge key, null, timestamp or value, so it must be quoted.
const IMPLICIT = [
  /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  /^(?:<<)$/,
  /^(?:~|null|Null|NULL|)$/,
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  /^(?:=)$/,
];

const WHITESPACE = '\0 \t\r\n\u0085\u2028\u2029';
const LINE_BREAKS = '\n\u0085\u2028\u2029';

/** Whether YAML prints `ch` as it is (with allow_unicode): PyYAML's printable set. */
function printable(ch: string): boolean {
  const c = ch.codePointAt(0)!;
  if (c === 0x0a || (c >= 0x20 && c <= 0x7e)) return true;
  if (c === 0xfeff) return false;
  return (
    c === 0x85 || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c < 0x10ffff)
  );
}

type Style = 'plain' | 'single' | 'double';

/** PyYAML's choice for a string value of a block mapping (analyze_scalar + choose_scalar_style). */
export function scalarStyle(s: string): Style {
  if (s.length === 0) return 'single';
  const chars = [...s];
  let blockIndicators = s.startsWith('---') || s.startsWith('...');
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let trailingSpace = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let precededByWhitespace = true;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const followedByWhitespace = i + 1 >= chars.length || WHITESPACE.includes(chars[i + 1]!);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true;
      if ('?:'.includes(ch) && followedByWhitespace) blockIndicators = true;
      if (ch === '-' && followedByWhitespace) blockIndicators = true;
    } else {
      if (ch === ':' && followedByWhitespace) blockIndicators = true;
      if (ch === '#' && precededByWhitespace) blockIndicators = true;
    }
    if (LINE_BREAKS.includes(ch)) lineBreaks = true;
    if (!printable(ch)) special = true;
    if (ch === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (LINE_BREAKS.includes(ch)) {
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = WHITESPACE.includes(ch);
  }
  if (lineBreaks) throw new RecoError(`cannot write a multi-line value in meta.yaml: ${JSON.stringify(s)}`);
  const allowSingle = !(breakSpace || spaceBreak || special);
  const allowPlain = allowSingle && !leadingSpace && !trailingSpace && !blockIndicators;
  if (allowPlain && !IMPLICIT.some((re) => re.test(s))) return 'plain';
  return allowSingle ? 'single' : 'double';
}

/**
 * Writes `text` from `column`, breaking onto a new line indented by `indent` at a lone space once the
 * line is past 80 columns (write_plain / write_single_quoted); `inner`: not at the first or last
 * character (single quotes). Returns the text written.
 */
function folded(text: string, column: number, indent: number, quoteEnds: boolean): string {
  const chars = [...text];
  let out = '';
  let col = column;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const lone = ch === ' ' && chars[i - 1] !== ' ' && chars[i + 1] !== ' ';
    if (lone && col > BEST_WIDTH && (!quoteEnds || (i !== 0 && i !== chars.length - 1))) {
      out += `\n${' '.repeat(indent)}`;
      col = indent;
      continue;
    }
    out += ch;
    col += 1;
  }
  return out;
}

const ESCAPES = new Map([
  ['\0', '0'],
  ['\x07', 'a'],
  ['\b', 'b'],
  ['\t', 't'],
  ['\n', 'n'],
  ['\v', 'v'],
  ['\f', 'f'],
  ['\r', 'r'],
  ['\x1b', 'e'],
  ['"', '"'],
  ['\\', '\\'],
  ['\u0085', 'N'],
  ['\u00a0', '_'],
  ['\u2028', 'L'],
  ['\u2029', 'P'],
]);

function doubleQuoted(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    const plain = (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd);
    if (plain && !'"\\\u0085\u2028\u2029\ufeff'.includes(ch)) {
      out += ch;
      continue;
    }
    const hex = c.toString(16).toUpperCase();
    out +=
      ESCAPES.get(ch) !== undefined
        ? `\\${ESCAPES.get(ch)}`
        : c <= 0xff
          ? `\\x${hex.padStart(2, '0')}`
          : c <= 0xffff
            ? `\\u${hex.padStart(4, '0')}`
            : `\\U${hex.padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** One `key: value` line (or lines, folded) of a block mapping at nesting `level` (2 spaces each). */
function entryText(key: string, value: YamlValue, level: number): string {
  const head = `${'  '.repeat(level)}${key}:`;
  if (value === null) return `${head} null`;
  if (typeof value === 'object') return `${head} []`;
  if (typeof value === 'boolean') return `${head} ${value}`;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RecoError(`meta.yaml ${key}: ${value} is not an integer`);
    return `${head} ${value}`;
  }
  const indent = (level + 1) * 2;
  const column = [...head].length + 1;
  switch (scalarStyle(value)) {
    case 'plain':
      return `${head} ${folded(value, column, indent, false)}`;
    case 'single':
      return `${head} '${folded(value.replaceAll("'", "''"), column + 1, indent, true)}'`;
    case 'double':
      return `${head} ${doubleQuoted(value)}`;
  }
}

/**
 * A block mapping of scalars as PyYAML writes it: keys sorted (as Python sorts strings), one entry per
 * line (long values folded), LF line ends, a final newline; at nesting `level` (2 spaces each) for a
 * mapping inside another.
 */
export function yamlMapping(entries: Iterable<readonly [string, YamlValue]>, level = 0): string {
  const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted.map(([key, value]) => `${entryText(key, value, level)}\n`).join('');
}

const UNESCAPES = new Map([...ESCAPES].map(([ch, e]) => [e, ch]));

function unquoteDouble(body: string): string {
  return body.replace(/\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/g, (_, e: string) =>
    e.length > 1 ? String.fromCodePoint(Number.parseInt(e.slice(1), 16)) : (UNESCAPES.get(e) ?? e),
  );
}

/** A scalar as PyYAML's safe loader reads it back (the forms yamlMapping writes, and ints, bools, null). */
function readScalar(text: string): YamlScalar {
  if (text.startsWith("'") && text.endsWith("'") && text.length >= 2)
    return text.slice(1, -1).replaceAll("''", "'");
  if (text.startsWith('"') && text.endsWith('"') && text.length >= 2) return unquoteDouble(text.slice(1, -1));
  if (/^(?:~|null|Null|NULL|)$/.test(text)) return null;
  if (/^(?:true|True|TRUE)$/.test(text)) return true;
  if (/^(?:false|False|FALSE)$/.test(text)) return false;
  if (/^[-+]?(?:0|[1-9][0-9]*)$/.test(text)) return Number(text);
  return text;
}

/**
 * The top-level `key: value` entries of a flat block mapping written by PyYAML (an MLflow meta.yaml),
 * folded values joined again; `tags: []` reads as the string '[]'. Not for nested mappings.
 */
export function readYamlMapping(text: string): Map<string, YamlScalar> {
  const raw: [string, string][] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const last = raw[raw.length - 1];
    if (line.startsWith(' ')) {
      // a folded value goes on here: a line break read back as one space
      if (last) last[1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(': ');
    if (colon > 0) raw.push([line.slice(0, colon), line.slice(colon + 2).trim()]);
    else if (line.endsWith(':')) raw.push([line.slice(0, -1), '']);
  }
  return new Map(raw.map(([k, v]) => [k, readScalar(v)]));
}

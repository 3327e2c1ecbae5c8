/**
 * Kinds of parameter values: the `type` and `check` columns of LightGBM's parameter declarations
 * (include/LightGBM/config.h). A kind reads a value from LightGBM's `key=value` text, validates a value a
 * library caller gives typed (the same checks), and writes a value back as LightGBM text. Errors are
 * UsageErrors naming the parameter: the LightGBM name on the text path, the camelCase field on the typed one.
 */
import { UsageError } from '../../errors.js';

/** How values of one parameter are read, checked and written. */
export interface Kind<T> {
  /** What a value must be, for the documentation (e.g. "an integer >= 1"). */
  readonly what: string;
  /** The value of LightGBM's text for it (the command line, a config file). */
  parse(text: string, name: string): T;
  /** A value given typed, validated by the same checks as the text (arrays are copied). */
  check(value: unknown, name: string): T;
  /** LightGBM's text for the value (a model's parameters block, the LightGBM program's arguments). */
  format(value: T): string;
}

/** Bounds of a number: `min` and `max` included, `above` excluded. */
export interface Bounds {
  min?: number;
  max?: number;
  above?: number;
}

function fail(name: string, message: string): never {
  throw new UsageError(`parameter ${name}: ${message}`);
}

/** A typed value as the messages show it: numbers as they print, anything else as JSON (strings quoted). */
function shown(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? String(value);
}

function boundsText(b: Bounds): string {
  const parts: string[] = [];
  if (b.min !== undefined) parts.push(`>= ${b.min}`);
  if (b.above !== undefined) parts.push(`> ${b.above}`);
  if (b.max !== undefined) parts.push(`<= ${b.max}`);
  return parts.length > 0 ? ` ${parts.join(' and ')}` : '';
}

function numeric(integer: boolean, b: Bounds): Kind<number> {
  /** `n` (a NaN when the value is not a number) checked; the messages show the value as `quoted` or `plain`. */
  const checked = (n: number, quoted: string, plain: string, name: string): number => {
    if (!Number.isFinite(n)) fail(name, `${quoted} is not a number`);
    if (integer && !Number.isInteger(n)) fail(name, `${quoted} is not an integer`);
    if (b.min !== undefined && n < b.min) fail(name, `${plain} is below the minimum ${b.min}`);
    if (b.above !== undefined && !(n > b.above)) fail(name, `${plain} must be greater than ${b.above}`);
    if (b.max !== undefined && n > b.max) fail(name, `${plain} is above the maximum ${b.max}`);
    return n;
  };
  return {
    what: `${integer ? 'an integer' : 'a number'}${boundsText(b)}`,
    parse(text, name) {
      const v = text.trim();
      return checked(v === '' ? Number.NaN : Number(v), `"${text}"`, text, name);
    },
    check: (value, name) =>
      checked(typeof value === 'number' ? value : Number.NaN, shown(value), shown(value), name),
    format: (n) => String(n),
  };
}

/** An integer within bounds. */
export function int(b: Bounds = {}): Kind<number> {
  return numeric(true, b);
}

/** A finite number within bounds. */
export function real(b: Bounds = {}): Kind<number> {
  return numeric(false, b);
}

/** LightGBM's booleans: true/+ and false/- in any case. */
export const bool: Kind<boolean> = {
  what: 'true or false',
  parse(text, name) {
    const v = text.trim().toLowerCase();
    if (v === 'true' || v === '+') return true;
    if (v === 'false' || v === '-') return false;
    return fail(name, `"${text}" is not a boolean (true or false)`);
  },
  check: (value, name) =>
    typeof value === 'boolean' ? value : fail(name, `${shown(value)} is not a boolean (true or false)`),
  format: (b) => (b ? 'true' : 'false'),
};

/** Text as given (a path, a column spec). */
export const text: Kind<string> = {
  what: 'text',
  parse: (t) => t,
  check: (value, name) => (typeof value === 'string' ? value : fail(name, `${shown(value)} is not text`)),
  format: (t) => t,
};

/** The elements of a typed list value, or a UsageError. */
function elements(value: unknown, name: string): readonly unknown[] {
  return Array.isArray(value) ? value : fail(name, `${shown(value)} is not a list`);
}

/** Comma-separated numbers of one kind (empty text: no numbers). */
export function numbers(item: Kind<number>): Kind<number[]> {
  return {
    what: `comma-separated: each ${item.what}`,
    parse(t, name) {
      const v = t.trim();
      return v === '' ? [] : v.split(',').map((s) => item.parse(s, name));
    },
    check: (value, name) => elements(value, name).map((x) => item.check(x, name)),
    format: (xs) => xs.join(','),
  };
}

/** Comma-separated paths; empty items are dropped. */
export const paths: Kind<string[]> = {
  what: 'comma-separated paths',
  parse: (t) => t.split(',').filter((s) => s.length > 0),
  check: (value, name) => elements(value, name).map((x) => text.check(x, name)),
  format: (xs) => xs.join(','),
};

/** How the text of a choice is read. */
export interface ChoiceOptions<V extends string> {
  /** Other names of some values (LightGBM's aliases of an objective or a metric), value -> names. */
  aliases?: { readonly [K in V]?: readonly string[] };
  /** The text is matched in lower case (LightGBM lowercases objectives, metrics and tasks). */
  caseInsensitive?: boolean;
}

/** Text to one of `values` through its own name or an alias; undefined when it is neither. */
function chooser<V extends string>(values: readonly V[], o: ChoiceOptions<V>): (t: string) => V | undefined {
  const byName = new Map<string, V>();
  for (const v of values) {
    byName.set(v, v);
    for (const a of o.aliases?.[v] ?? []) byName.set(a, v);
  }
  return (t) => byName.get(o.caseInsensitive ? t.trim().toLowerCase() : t.trim());
}

/** The canonical value `value` is, if it is one of `values`. */
function canonical<V extends string>(values: readonly V[], value: unknown): V | undefined {
  return values.find((v) => v === value);
}

/** The error for a value (shown as given) that is none of `values`. */
function unsupportedOf(values: readonly string[]): (value: string, name: string) => never {
  return (value, name) => fail(name, `${value} is not supported (${values.join(', ')})`);
}

/** One of a few values (the supported ones of a LightGBM enum parameter). */
export function choice<const V extends string>(values: readonly V[], o: ChoiceOptions<V> = {}): Kind<V> {
  const pick = chooser(values, o);
  const unsupported = unsupportedOf(values);
  return {
    what: `one of ${values.join(', ')}`,
    parse: (t, name) => pick(t) ?? unsupported(`"${t}"`, name),
    check: (value, name) => canonical(values, value) ?? unsupported(shown(value), name),
    format: (v) => v,
  };
}

/**
 * Comma-separated values of a choice, each once in the order given; the words in `none` (LightGBM's
 * "na", "null", "custom" metrics) and empty items stand for no value.
 */
export function choices<const V extends string>(
  values: readonly V[],
  o: ChoiceOptions<V> & { none: readonly string[] },
): Kind<V[]> {
  const pick = chooser(values, o);
  const unsupported = unsupportedOf(values);
  const unique = (xs: V[]) => xs.filter((x, i) => xs.indexOf(x) === i);
  return {
    what: `comma-separated, each one of ${values.join(', ')}`,
    parse: (t, name) =>
      unique(
        t
          .split(',')
          .filter((s) => !['', ...o.none].includes(s.trim().toLowerCase()))
          .map((s) => pick(s) ?? unsupported(`"${s}"`, name)),
      ),
    check: (value, name) =>
      unique(elements(value, name).map((x) => canonical(values, x) ?? unsupported(shown(x), name))),
    format: (xs) => xs.join(','),
  };
}

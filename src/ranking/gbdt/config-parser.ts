/**
 * LightGBM's parameter text: `key=value` pairs as LightGBM's command line takes them (src/io/config.cpp
 * Config::Str2Map / KV2Map), with the names and aliases of the declarations (./config.ts), and an optional
 * `config=FILE` with one pair per line (`#` starts a comment). Parameters given on the command line win over
 * the config file, as in LightGBM. Anything unknown or unsupported is a UsageError naming the parameter:
 * never silently ignored.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../../errors.js';
import { BY_LIGHTGBM_NAME, type IoParams, isTrainField, sectionRecord, type TrainParams } from './config.js';

export interface ParsedParams {
  train: TrainParams;
  io: IoParams;
  /** Canonical name -> raw value, for every parameter given (on the command line or in the config file). */
  given: Map<string, string>;
}

/** Canonical LightGBM name of a parameter or alias, or undefined when it is not supported. */
export function canonicalParamName(key: string): string | undefined {
  return BY_LIGHTGBM_NAME.get(key.trim())?.lightgbm;
}

/** Splits `key=value` (LightGBM trims both sides; a missing `=` is an error). */
function splitPair(pair: string, where: string): [string, string] {
  const eq = pair.indexOf('=');
  if (eq <= 0) throw new UsageError(`${where}: "${pair}" is not key=value`);
  return [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
}

/** Reads a LightGBM config file: one key=value per line, `#` comments, blank lines ignored. */
export function readConfigFile(path: string): Array<[string, string, string]> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`config file ${path}: ${(e as Error).message}`);
  }
  const out: Array<[string, string, string]> = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const hash = lines[i]!.indexOf('#');
    const line = (hash >= 0 ? lines[i]!.slice(0, hash) : lines[i]!).trim();
    if (line === '') continue;
    const [k, v] = splitPair(line, `${path}, line ${i + 1}`);
    out.push([k, v, `${path}, line ${i + 1}`]);
  }
  return out;
}

/** The raw values given: canonical name -> value, the command line's first, then the config file's. */
function givenValues(args: readonly string[]): Map<string, string> {
  const pairs: Array<[string, string, string]> = args.map((a) => {
    const [k, v] = splitPair(a, 'argument');
    return [k, v, 'command line'];
  });
  const given = new Map<string, string>();
  const origin = new Map<string, string>();
  const accept = (list: Array<[string, string, string]>) => {
    for (const [k, v, where] of list) {
      const d = BY_LIGHTGBM_NAME.get(k);
      if (!d) throw new UsageError(`unknown or unsupported parameter "${k}" (${where})`);
      const prev = given.get(d.lightgbm);
      if (prev !== undefined) {
        // Command line wins over the config file (LightGBM keeps the first value it saw).
        if (origin.get(d.lightgbm) === where.split(',')[0] && prev !== v)
          throw new UsageError(
            `parameter ${d.lightgbm} given twice with different values ("${prev}", "${v}")`,
          );
        continue;
      }
      given.set(d.lightgbm, v);
      origin.set(d.lightgbm, where.split(',')[0]!);
    }
  };
  accept(pairs);
  const configPath = given.get('config');
  if (configPath) accept(readConfigFile(configPath).filter(([k]) => canonicalParamName(k) !== 'config'));
  return given;
}

/**
 * Parses LightGBM-style `key=value` arguments (and the config file they name). Raises UsageError for an
 * unknown parameter, a bad value, or one parameter given twice with different values on the command line.
 */
export function parseParams(args: readonly string[]): ParsedParams {
  const given = givenValues(args);
  // field -> value read from its text, in the order given (the first bad value is the one reported)
  const values = new Map<string, unknown>();
  for (const [name, raw] of given) {
    const d = BY_LIGHTGBM_NAME.get(name)!;
    values.set(d.field, d.kind.parse(raw, name));
  }
  return { train: sectionRecord('train', values), io: sectionRecord('io', values), given };
}

/**
 * The training parameters among LightGBM-named values (`{"num_leaves": 63}`, from users' JSON), read as
 * their `key=value` text with the same names, aliases, checks and errors as the command line. Only the
 * training parameters given are in the result (to merge over typed values); input/output parameters are
 * accepted and have no effect here.
 */
export function parseLightgbmParams(kv: Readonly<Record<string, unknown>>): Partial<TrainParams> {
  const { train, given } = parseParams(Object.entries(kv).map(([k, v]) => `${k}=${String(v)}`));
  const out: Partial<TrainParams> = {};
  const copy = <K extends keyof TrainParams>(k: K) => {
    out[k] = train[k];
  };
  for (const name of given.keys()) {
    const field = BY_LIGHTGBM_NAME.get(name)!.field;
    if (isTrainField(field)) copy(field);
  }
  return out;
}

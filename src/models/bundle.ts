/**
 * Model bundles: the fitted recommenders of one `reco train`, saved as a versioned directory so that
 * `reco recommend`, `reco similar` and the server answer without refitting.
 *
 *   <models dir>/                       default: `models/` beside the database file
 *     current                           the version in use (one line)
 *     <version>/                        version = UTC time of training, e.g. 20261126-043512-123
 *       manifest.json                   format, models with parameters and saved meta, data snapshot
 *                                       (counts, time range), interaction weights, metrics if evaluated
 *       users.txt, items.txt            external ids in dense-index order (the indices the arrays use)
 *       <model>/<array>.bin             each saved array, raw little-endian (dtype and length in the manifest)
 *
 * A model's arrays and meta are what its `save()` returns; `loadModel(name, saved)` (./factory.ts: the
 * registry's models and `ranked`) rebuilds it. Writing goes to a temporary directory renamed into place, then `current` is replaced.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { endianness } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type InteractionWeights, weightsFromJson, weightsToJson } from '../data/interactions.js';
import { RecoError, UsageError } from '../errors.js';
import type { Recommender, SavedModel, TypedArray } from '../recommenders/recommender.js';
import type { TuneReport } from '../training/tune-report.js';
import { MODEL_NAMES, type ModelName } from '../types.js';
import { loadModel } from './factory.js';
import type { FittedSizes } from './profiles.js';

export const BUNDLE_FORMAT = 'reco-model-bundle';
export const BUNDLE_FORMAT_VERSION = 1;

const DTYPES = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  uint8: Uint8Array,
} as const;
type DType = keyof typeof DTYPES;

function dtypeOf(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  return 'uint8';
}

export interface ArrayEntry {
  key: string;
  dtype: DType;
  length: number;
  file: string;
}

export interface BundleModel {
  name: ModelName;
  params: Record<string, unknown>;
  /** The model's saved meta (JSON-able). */
  meta: Record<string, unknown>;
  arrays: ArrayEntry[];
  fitSeconds: number;
}

/** The data a bundle was fitted on. */
export interface DataSnapshot {
  db: string;
  users: number;
  items: number;
  events: number;
  /**
   * The store's event position (Store.eventPosition) the events above end at: a server replays the events
   * stored after it into its online state. Absent in older bundles (the server then takes `events`).
   */
  position?: number;
  /** ms since the epoch; NaN-free: null when there were no events. */
  firstEvent: number | null;
  lastEvent: number | null;
}

/** Evaluation figures stored with a bundle (from `reco train --evaluate`). */
export interface StoredMetrics {
  split: string;
  k: number;
  /** Per model: metric name -> value (ndcg, precision, ...). */
  models: Record<string, Record<string, number>>;
}

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  formatVersion: number;
  version: string;
  createdAt: string;
  endianness: 'LE' | 'BE';
  data: DataSnapshot;
  weights: InteractionWeights;
  models: BundleModel[];
  metrics?: StoredMetrics;
  /** `reco train`'s tuning: the parameters chosen on its validation split, with every trial's score. */
  tuning?: TuneReport;
}

/** The default bundle directory: `models/` beside the database file. */
export function defaultModelsDir(dbPath: string): string {
  return join(dirname(resolve(dbPath)), 'models');
}

/** A version id from the time: YYYYMMDD-HHMMSS-mmm (UTC), sortable as text. */
export function versionId(now: Date = new Date()): string {
  const iso = now.toISOString(); // 2026-11-26T04:35:12.345Z
  return `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}-${iso.slice(20, 23)}`;
}

export interface FittedModel {
  model: Recommender;
  fitSeconds: number;
}

export interface WriteBundleOptions {
  modelsDir: string;
  data: DataSnapshot;
  weights: InteractionWeights;
  userIds: string[];
  itemIds: string[];
  models: FittedModel[];
  metrics?: StoredMetrics;
  tuning?: TuneReport;
  /** Defaults to versionId(now). */
  version?: string;
}

/** Writes a bundle and points `current` at it; returns its manifest and directory. */
export function writeBundle(options: WriteBundleOptions): { manifest: BundleManifest; dir: string } {
  const { modelsDir } = options;
  mkdirSync(modelsDir, { recursive: true });
  let version = options.version ?? versionId();
  for (let n = 2; existsSync(join(modelsDir, version)); n++)
    version = `${options.version ?? versionId()}-${n}`;
  const tmp = join(modelsDir, `.tmp-${version}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const models: BundleModel[] = [];
  for (const { model, fitSeconds } of options.models) {
    const saved: SavedModel = model.save();
    const sub = join(tmp, model.name);
    mkdirSync(sub);
    const arrays: ArrayEntry[] = [];
    for (const [key, a] of Object.entries(saved.arrays)) {
      const file = `${model.name}/${key}.bin`;
      writeFileSync(join(tmp, file), Buffer.from(a.buffer, a.byteOffset, a.byteLength));
      arrays.push({ key, dtype: dtypeOf(a), length: a.length, file });
    }
    const { name: _n, params, ...meta } = saved.meta;
    models.push({ name: model.name, params, meta, arrays, fitSeconds });
  }
  writeFileSync(join(tmp, 'users.txt'), `${options.userIds.join('\n')}\n`);
  writeFileSync(join(tmp, 'items.txt'), `${options.itemIds.join('\n')}\n`);
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    version,
    createdAt: new Date().toISOString(),
    endianness: endianness(),
    data: options.data,
    weights: options.weights,
    models,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.tuning ? { tuning: options.tuning } : {}),
  };
  writeFileSync(
    join(tmp, 'manifest.json'),
    `${JSON.stringify({ ...manifest, weights: weightsToJson(manifest.weights) }, null, 2)}\n`,
  );
  const dir = join(modelsDir, version);
  renameSync(tmp, dir);
  const pointer = join(modelsDir, '.current.tmp');
  writeFileSync(pointer, `${version}\n`);
  renameSync(pointer, join(modelsDir, 'current'));
  return { manifest, dir };
}

/** Versions present in a models directory, oldest first. */
export function listVersions(modelsDir: string): string[] {
  if (!existsSync(modelsDir)) return [];
  return readdirSync(modelsDir, { withFileTypes: true })
    .filter(
      (d) =>
        d.isDirectory() && !d.name.startsWith('.') && existsSync(join(modelsDir, d.name, 'manifest.json')),
    )
    .map((d) => d.name)
    .sort();
}

/** A loaded bundle: the manifest, and each model rebuilt on first use. */
export class ModelBundle {
  private readonly cache = new Map<ModelName, Recommender>();
  private idsCache?: { users: string[]; items: string[] };

  constructor(
    readonly dir: string,
    readonly manifest: BundleManifest,
  ) {}

  get version(): string {
    return this.manifest.version;
  }

  /**
   * The users and items the models were fitted on, checked against the store the bundle is used with
   * (`counts`, described as `where`): a store with fewer cannot be the one it was trained on.
   */
  fittedSizes(counts: { users: number; items: number }, where: string): FittedSizes {
    const { users, items } = this.manifest.data;
    if (counts.users < users || counts.items < items)
      throw new RecoError(
        `model bundle ${this.version} was trained on ${users} users and ${items} items, but ${where} has ${counts.users} and ${counts.items}: is it the same database? (run "reco train" on it)`,
      );
    return { users, items };
  }

  modelNames(): ModelName[] {
    return this.manifest.models.map((m) => m.name);
  }

  has(name: string): name is ModelName {
    return this.manifest.models.some((m) => m.name === name);
  }

  /** The fitted model `name`; a clear error when the name is unknown or not in this bundle. */
  model(name: string): Recommender {
    return this.cache.get(name as ModelName) ?? this.rebuilt(this.savedModel(name));
  }

  /**
   * `model` with the arrays read off the event loop (the libuv thread pool reads them straight into
   * their typed arrays): a server swapping bundles is not held while a large matrix comes from disk.
   */
  async modelAsync(name: string): Promise<Recommender> {
    const cached = this.cache.get(name as ModelName);
    if (cached) return cached;
    const entry = this.entry(name);
    const arrays: Record<string, TypedArray> = {};
    for (const a of entry.arrays) arrays[a.key] = await readArrayAsync(join(this.dir, a.file), a);
    return this.rebuilt(savedOf(entry, arrays));
  }

  /** Model `name` as saved (meta and arrays read back), for loaders outside the model factory. */
  savedModel(name: string): SavedModel {
    const entry = this.entry(name);
    const arrays: Record<string, TypedArray> = {};
    for (const a of entry.arrays) arrays[a.key] = readArray(join(this.dir, a.file), a);
    return savedOf(entry, arrays);
  }

  private rebuilt(saved: SavedModel): Recommender {
    const model = loadModel(saved.meta.name, saved);
    this.cache.set(saved.meta.name, model);
    return model;
  }

  /** The manifest's entry of model `name`; a clear error when the name is unknown or not in this bundle. */
  private entry(name: string): BundleModel {
    if (!(MODEL_NAMES as readonly string[]).includes(name))
      throw new UsageError(`unknown model "${name}"; valid: ${MODEL_NAMES.join(', ')}`);
    const entry = this.manifest.models.find((m) => m.name === name);
    if (!entry)
      throw new UsageError(
        `model "${name}" is not in bundle ${this.version} (it has: ${this.modelNames().join(', ')}); train it with: reco train --models ${name}`,
      );
    return entry;
  }

  /** External ids in the dense-index order the models were fitted with. */
  ids(): { users: string[]; items: string[] } {
    if (!this.idsCache) {
      const read = (f: string) => {
        const text = readFileSync(join(this.dir, f), 'utf8');
        const lines = text.split('\n');
        if (lines[lines.length - 1] === '') lines.pop();
        return lines;
      };
      this.idsCache = { users: read('users.txt'), items: read('items.txt') };
    }
    return this.idsCache;
  }

  /**
   * The default model: `ranked` when the bundle has it; else the model with the best stored NDCG; else
   * `hybrid` when present; else the first model of the bundle.
   */
  defaultModel(): ModelName {
    if (this.has('ranked')) return 'ranked';
    const metrics = this.manifest.metrics?.models;
    if (metrics) {
      let best: ModelName | undefined;
      let bestScore = Number.NEGATIVE_INFINITY;
      for (const name of this.modelNames()) {
        const s = metrics[name]?.['ndcg'];
        if (s !== undefined && s > bestScore) {
          bestScore = s;
          best = name;
        }
      }
      if (best) return best;
    }
    if (this.has('hybrid')) return 'hybrid';
    const first = this.modelNames()[0];
    if (!first) throw new RecoError(`bundle ${this.version} holds no model`);
    return first;
  }
}

function savedOf(entry: BundleModel, arrays: Record<string, TypedArray>): SavedModel {
  return { meta: { ...entry.meta, name: entry.name, params: entry.params }, arrays };
}

/** A saved array's typed array for `a` (its own aligned buffer), its file's size checked first. */
function arrayFor(file: string, a: ArrayEntry, bytes: number): TypedArray {
  const Ctor = DTYPES[a.dtype];
  if (bytes !== a.length * Ctor.BYTES_PER_ELEMENT)
    throw new RecoError(`${file}: expected ${a.length} ${a.dtype} values, found ${bytes} bytes`);
  return new Ctor(a.length);
}

/** Reads a saved array straight into its typed array. */
function readArray(file: string, a: ArrayEntry): TypedArray {
  const fd = openSync(file, 'r');
  try {
    const out = arrayFor(file, a, fstatSync(fd).size);
    const view = new Uint8Array(out.buffer);
    for (let at = 0; at < view.length; ) {
      const n = readSync(fd, view, at, view.length - at, at);
      if (n === 0) throw new RecoError(`${file}: ended after ${at} of ${view.length} bytes`);
      at += n;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/** `readArray` on the thread pool. */
async function readArrayAsync(file: string, a: ArrayEntry): Promise<TypedArray> {
  const fh = await open(file, 'r');
  try {
    const out = arrayFor(file, a, (await fh.stat()).size);
    const view = new Uint8Array(out.buffer);
    for (let at = 0; at < view.length; ) {
      const { bytesRead } = await fh.read(view, at, view.length - at, at);
      if (bytesRead === 0) throw new RecoError(`${file}: ended after ${at} of ${view.length} bytes`);
      at += bytesRead;
    }
    return out;
  } finally {
    await fh.close();
  }
}

/**
 * Opens a bundle: `version` (a version id or a directory path), or the one `current` points at.
 */
export function openBundle(modelsDir: string, version?: string): ModelBundle {
  let dir: string;
  if (version && existsSync(join(version, 'manifest.json'))) dir = version;
  else {
    let v = version;
    if (!v) {
      const pointer = join(modelsDir, 'current');
      if (!existsSync(pointer))
        throw new RecoError(
          `no trained models in ${modelsDir}: run "reco train" first (or pass --models-dir)`,
        );
      v = readFileSync(pointer, 'utf8').trim();
    }
    dir = join(modelsDir, v);
    if (!existsSync(join(dir, 'manifest.json'))) {
      const known = listVersions(modelsDir);
      throw new UsageError(
        `no model bundle "${v}" in ${modelsDir}${known.length ? ` (versions: ${known.join(', ')})` : ''}`,
      );
    }
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as BundleManifest;
  try {
    manifest.weights = weightsFromJson(manifest.weights);
  } catch (err) {
    throw new RecoError(`${join(dir, 'manifest.json')}: ${(err as Error).message}`);
  }
  if (manifest.format !== BUNDLE_FORMAT || manifest.formatVersion > BUNDLE_FORMAT_VERSION)
    throw new RecoError(
      `${join(dir, 'manifest.json')}: not a model bundle this reco can read (format ${manifest.format} v${manifest.formatVersion})`,
    );
  if (manifest.endianness !== endianness())
    throw new RecoError(`${dir}: written on a ${manifest.endianness} machine, this one is ${endianness()}`);
  return new ModelBundle(dir, manifest);
}

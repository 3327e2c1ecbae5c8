/**
 * The ranked model of a model bundle (../models/bundle.ts), rebuilt without going through the recommender
 * registry (which does not build 'ranked': it is the ranking stage, not a candidate generator).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecoError, UsageError } from '../errors.js';
import type { ModelBundle } from '../models/bundle.js';
import type { SavedModel, TypedArray } from '../recommenders/recommender.js';
import { RankedRecommender } from './ranker.js';

const DTYPES = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  uint8: Uint8Array,
} as const;

export function loadRankedFromBundle(bundle: ModelBundle): RankedRecommender {
  const entry = bundle.manifest.models.find((m) => m.name === 'ranked');
  if (!entry)
    throw new UsageError(
      `bundle ${bundle.version} has no ranked model (it has: ${bundle.modelNames().join(', ')}); train it with: reco train`,
    );
  const arrays: Record<string, TypedArray> = {};
  for (const a of entry.arrays) {
    const file = join(bundle.dir, a.file);
    const buf = readFileSync(file);
    const Ctor = DTYPES[a.dtype];
    if (buf.byteLength !== a.length * Ctor.BYTES_PER_ELEMENT)
      throw new RecoError(`${file}: expected ${a.length} ${a.dtype} values, found ${buf.byteLength} bytes`);
    const out = new Ctor(a.length);
    new Uint8Array(out.buffer).set(buf);
    arrays[a.key] = out;
  }
  const saved: SavedModel = { meta: { ...entry.meta, name: 'ranked', params: entry.params }, arrays };
  return RankedRecommender.load(saved);
}

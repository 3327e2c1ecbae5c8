/**
 * Where benchmarks find data that stays outside the repository: `../shared` beside the checkout (MovieLens
 * 100K, research use only, never copied here; the reference LightGBM fixtures). RECO_ML100K overrides the
 * MovieLens folder.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file runs from dist/bench/). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED_DIR = join(REPO_ROOT, '..', 'shared');
export const ML100K_DIR = process.env.RECO_ML100K ?? join(SHARED_DIR, 'data', 'ml-100k');

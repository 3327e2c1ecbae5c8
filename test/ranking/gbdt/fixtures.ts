/** Paths of the LightGBM reference fixtures used by the gbdt tests. */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/test/ranking/gbdt). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
/** rank.* and binary.* (copied into the repository). */
export const fixtureDir = resolve(repoRoot, 'test', 'fixtures', 'lightgbm');
/** The shared fixtures beside the repository (ml100k-cat.*, MovieLens-derived, never copied). */
export const sharedFixtureDir = resolve(repoRoot, '..', 'shared', 'fixtures', 'lightgbm');

/** Whether the shared fixtures are there (beside the repository; absent on machines without ../shared). */
export const haveSharedFixtures = existsSync(resolve(sharedFixtureDir, 'ml100k-cat.model.txt'));

/**
 * node:test `skip` option for tests needing the shared fixtures: skipped when they are absent, except
 * under CI, where the test runs and fails on their absence (see requireSharedFixtures).
 */
export const sharedSkip: string | false =
  haveSharedFixtures || process.env.CI ? false : `shared fixtures absent (${sharedFixtureDir})`;

export function requireSharedFixtures(): void {
  if (!haveSharedFixtures)
    throw new Error(`CI is set but the shared LightGBM fixtures are missing: ${sharedFixtureDir}`);
}

/** The reference LightGBM program, if built: LIGHTGBM_BIN, or the build script's default location. */
export function referenceLightgbm(): string | undefined {
  const candidates = [
    process.env.LIGHTGBM_BIN,
    resolve(process.env.HOME ?? '/root', '.cache/reference-lightgbm/package/dependencies/LightGBM/lightgbm'),
  ];
  return candidates.find((c): c is string => c !== undefined && c.length > 0 && existsSync(c));
}

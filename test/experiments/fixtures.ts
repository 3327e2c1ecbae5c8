/** GrowthBook's reference cases (../shared/fixtures/growthbook beside the repository, MIT licence). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/test/experiments). */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const growthbookDir = resolve(repoRoot, '..', 'shared', 'fixtures', 'growthbook');
const present = existsSync(resolve(growthbookDir, 'hash-cases.json'));

/** Skipped when the shared fixtures are absent, except under CI (where their absence fails). */
export const growthbookSkip: string | false =
  present || process.env.CI ? false : `shared fixtures absent (${growthbookDir})`;

export function readGrowthbook<T>(name: string): T {
  if (!present) throw new Error(`the shared GrowthBook fixtures are missing: ${growthbookDir}`);
  return JSON.parse(readFileSync(resolve(growthbookDir, name), 'utf8')) as T;
}

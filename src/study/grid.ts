/**
 * `--grid name=v1,v2,...` (repeatable): levels over world parameters, the product of every grid given,
 * each value checked like `reco simulate --param` (a world parameter of the right type).
 */
import { UsageError } from '../errors.js';
import { DEFAULT_PARAMS, type WorldParams } from '../simulation/params.js';
import type { StudyLevel } from './study.js';

export function parseGrid(specs: readonly string[]): StudyLevel[] | undefined {
  if (specs.length === 0) return undefined;
  let levels: StudyLevel[] = [{ label: '', world: {} }];
  const seen = new Set<string>();
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const key = eq > 0 ? spec.slice(0, eq) : '';
    if (!Object.hasOwn(DEFAULT_PARAMS, key))
      throw new UsageError(`--grid ${spec}: unknown world parameter "${key}" (want name=v1,v2,...)`);
    if (seen.has(key)) throw new UsageError(`--grid ${spec}: ${key} is given twice`);
    seen.add(key);
    const def = DEFAULT_PARAMS[key as keyof WorldParams];
    const raw = spec
      .slice(eq + 1)
      .split(',')
      .map((s) => s.trim());
    if (raw.length === 0 || raw.some((s) => s === ''))
      throw new UsageError(`--grid ${spec}: give one or more values after "=", separated by commas`);
    const values = raw.map((r) => {
      let v: unknown = r;
      if (typeof def !== 'string')
        try {
          v = JSON.parse(r);
        } catch {
          throw new UsageError(`--grid ${spec}: cannot read the value "${r}" of ${key}`);
        }
      if (typeof v !== typeof def || Array.isArray(def))
        throw new UsageError(`--grid ${spec}: ${key} takes a ${typeof def} (got "${r}")`);
      return { text: r, value: v };
    });
    const next: StudyLevel[] = [];
    for (const level of levels)
      for (const { text, value } of values)
        next.push({
          label: level.label === '' ? `${key}=${text}` : `${level.label}, ${key}=${text}`,
          world: { ...level.world, [key]: value },
        });
    levels = next;
  }
  return levels;
}

/**
 * The closed loop inside a study cell (`reco loop` in process, ../loop/): the world's events before a cut
 * are written into a store of its own (a temporary directory, removed after), a bundle is trained on them,
 * and the world's people are served from the cut on by that store's serving services (the strategies,
 * live rows and live popularity of `reco serve`, without HTTP); their takes go back into the store as
 * events. With `retrainDays` the bundle is retrained every that many simulated days on every event the
 * store holds by then (the history and what the loop produced) and swapped in, as a server's retrainer
 * does; between retrainings the models keep their parameters and only the live state moves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecoError } from '../errors.js';
import { InProcessClient } from '../loop/client.js';
import { normalise } from '../loop/metrics.js';
import { DEFAULT_PEOPLE, type PeopleParams } from '../loop/params.js';
import { type Arm, type LoopResult, referenceCtrs, runLoop } from '../loop/run.js';
import type { Recommender } from '../recommenders/recommender.js';
import { DAY } from '../simulation/params.js';
import { storeWorld } from '../simulation/simulate.js';
import type { World } from '../simulation/world.js';
import { openStore } from '../store/open.js';
import type { ModelFactory, ModelParams } from '../training/fit-models.js';
import { trainBundle } from '../training/train-bundle.js';
import type { EventLog, ModelName } from '../types.js';
import type { StudyValue } from './study.js';
import { logBefore } from './world-log.js';

export interface StudyLoopOptions {
  world: World;
  /** The world's events (./world-log.ts); those before `cut` are the history. */
  log: EventLog;
  /** Where the loop starts (ms; a UTC midnight: the loop starts at the midnight after the history). */
  cut: number;
  /** The models the bundle holds. */
  models: readonly ModelName[];
  create: ModelFactory;
  params?: ModelParams;
  /** Models fitted on exactly the events before `cut`: the first bundle takes them as they are. */
  fitted?: ReadonlyMap<ModelName, Recommender>;
  /** The loop's own split (each arm a strategy of the bundle, or random / oracle). */
  arms: Arm[];
  users: number;
  days: number;
  k: number;
  seed: number;
  people?: PeopleParams;
  /** Retrain every this many simulated days (absent or 0: never; the bundle of the cut serves throughout). */
  retrainDays?: number;
  /** Measure every slate against the oracle (true CTR, regret; default true): a pass of the world a slate. */
  measure?: boolean;
}

export interface StudyLoopResult {
  loop: LoopResult;
  /** The days (1-based: at the end of that day) after which a retrained bundle was swapped in. */
  retrainedAfter: number[];
  /** Events of each bundle's training, the first (the history) included. */
  trainedOn: number[];
}

/** The first UTC midnight at or after `t`. */
export function midnightAfter(t: number): number {
  return Math.ceil(t / DAY) * DAY;
}

/** Runs the loop once over a store of its own; see the module header. */
export async function studyLoop(o: StudyLoopOptions): Promise<StudyLoopResult> {
  const dir = mkdtempSync(join(tmpdir(), 'reco-study-loop-'));
  const store = await openStore(join(dir, 'reco.db'));
  let client: InProcessClient | undefined;
  try {
    await storeWorld(store, o.world, logBefore(o.log, o.cut));
    const modelsDir = join(dir, 'models');
    const trainedOn: number[] = [];
    const train = async (day: number): Promise<string> => {
      const b = await trainBundle({
        store,
        modelsDir,
        models: o.models,
        create: o.create,
        ...(o.params ? { params: o.params } : {}),
        ...(day === 0 && o.fitted ? { fitted: o.fitted } : {}),
        version: `sim-day-${String(day).padStart(4, '0')}`,
        run: { mirror: null },
      });
      trainedOn.push(b.events);
      return b.manifest.version;
    };
    await train(0);
    const served = await InProcessClient.open(store, modelsDir);
    client = served;
    const retrainedAfter: number[] = [];
    const every = o.retrainDays ?? 0;
    const loop = await runLoop({
      ...loopBase(o, await store.loadEventLog()),
      arms: o.arms,
      client: served,
      ...(o.measure !== undefined ? { measure: o.measure } : {}),
      onDay: async (day) => {
        const done = day + 1;
        if (every > 0 && done % every === 0 && done < o.days) {
          const version = await train(done);
          // a bundle that does not load leaves the old one serving: a study must not go on unaware
          const slot = await served.services.models.swap();
          if (slot.version !== version)
            throw new RecoError(`study loop: bundle ${version} was not swapped in (${slot.version} serves)`);
          retrainedAfter.push(done);
        }
      },
    });
    return { loop, retrainedAfter, trainedOn };
  } finally {
    await client?.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function loopBase(o: StudyLoopOptions, history: EventLog) {
  return {
    world: o.world,
    history,
    users: o.users,
    days: o.days,
    k: o.k,
    seed: o.seed,
    people: o.people ?? DEFAULT_PEOPLE,
  };
}

/** The random and the oracle slates' CTR over the loop's people, arrivals and days (no store needed). */
export function studyReferences(
  o: Omit<StudyLoopOptions, 'arms'>,
): Promise<{ random: number; oracle: number }> {
  // the random slates need no measuring; the oracle's are measured whatever `measure` says
  return referenceCtrs({ ...loopBase({ ...o, arms: [] }, logBefore(o.log, o.cut)), measure: false });
}

/**
 * Each variant's online figures as study values, under `series(variant)`: CTR (takes a slate), true CTR,
 * regret against the oracle's slate and, given the references, the normalised score.
 */
export function loopValues(
  loop: LoopResult,
  reference: { random: number; oracle: number } | undefined,
  series: (variant: string) => string,
): StudyValue[] {
  if (reference) normalise(loop.variants, reference.random, reference.oracle);
  const out: StudyValue[] = [];
  for (const v of loop.variants) {
    const s = series(v.name);
    out.push(
      { series: s, metric: 'ctr', value: v.ctr },
      { series: s, metric: 'true_ctr', value: v.trueCtr },
      { series: s, metric: 'regret', value: v.regret },
    );
    if (v.normalised !== undefined) out.push({ series: s, metric: 'normalised', value: v.normalised });
  }
  return out;
}

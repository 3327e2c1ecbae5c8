/**
 * `reco study drift`: taste drift speed against the retraining interval, in the closed loop. Every user's
 * taste drifts towards a new genre over the world's span, `driftScale` of the way (0: no drift; the
 * level); the world is short (8 weeks) and every user is active throughout, so the drift runs at the same
 * speed for all. From the middle of the span the world's people are served for 4 weeks by a bundle trained
 * on the events before (./closed-loop.ts: the serving services in process, each model an arm of the loop's
 * split) and retrained every 1 or 7 simulated days on every event the store then holds, the loop's own
 * included, or never. Per model and interval: online CTR, the normalised score against the random and the
 * oracle slates over the same people and days, the true CTR and the regret against the oracle's slate.
 */
import { DAY } from '../simulation/params.js';
import type { ModelParams } from '../training/fit-models.js';
import { loopValues, midnightAfter, studyLoop, studyReferences } from './closed-loop.js';
import { type CellContext, SMALL_WORLD, type StudyDefinition, type StudyValue } from './study.js';
import { worldData } from './world-log.js';

/** How the loop of a drift cell runs. */
export interface DriftLoop {
  /** People served (a seeded sample of the world's users). */
  users: number;
  /** Simulated days the loop runs, from the middle of the world's span. */
  days: number;
  /** Retraining intervals compared, in simulated days (0: never, the bundle of the cut serves throughout). */
  intervals: number[];
  k: number;
}

export const DRIFT_LOOP: DriftLoop = { users: 500, days: 28, intervals: [1, 7, 0], k: 10 };

/** The world's span: 8 weeks, the loop in its second half. */
const START = Date.UTC(2023, 0, 1);
const SPAN_DAYS = 56;

/** ALS small enough to be retrained every simulated day (one thread: cells run two at a time). */
const DRIFT_PARAMS: ModelParams = { als: { factors: 16, iterations: 8, threads: 1 } };

export function intervalLabel(days: number): string {
  return days > 0 ? `every ${days} d` : 'never retrained';
}

/** A drift cell: the references once, then the loop once per retraining interval (same people, arrivals). */
export async function driftCell(cell: CellContext, loop: DriftLoop = DRIFT_LOOP): Promise<StudyValue[]> {
  const { world, log } = worldData(cell.params);
  const { startMs, endMs } = cell.params;
  const cut = midnightAfter(startMs + (endMs - startMs) / 2);
  const base = {
    world,
    log,
    cut,
    models: cell.models,
    create: cell.create,
    params: DRIFT_PARAMS,
    users: Math.min(loop.users, cell.params.users),
    days: loop.days,
    k: loop.k,
    seed: cell.seed,
  };
  const reference = await studyReferences(base);
  cell.note(`references: random CTR ${reference.random.toFixed(4)}, oracle ${reference.oracle.toFixed(4)}`);
  const out: StudyValue[] = [];
  for (const every of loop.intervals) {
    const { loop: result, retrainedAfter } = await studyLoop({
      ...base,
      arms: cell.models.map((m) => ({ name: m, strategy: m })),
      retrainDays: every,
    });
    const label = intervalLabel(every);
    out.push(...loopValues(result, reference, (model) => `${model} ${label}`));
    out.push({ series: `bundle ${label}`, metric: 'retrainings', value: retrainedAfter.length });
    cell.note(
      `${label} (${retrainedAfter.length} retrainings): ${result.variants.map((v) => `${v.name} CTR ${v.ctr.toFixed(4)}`).join(', ')}`,
    );
  }
  return [...out, ...relativeCtrs(out, cell.models, loop.intervals)];
}

/**
 * Each model's CTR at every interval as a fraction of its CTR at the first (the most frequent
 * retraining), within the cell: the same world, people and arrivals, so the seeds' spread cancels.
 */
export function relativeCtrs(
  values: readonly StudyValue[],
  models: readonly string[],
  intervals: readonly number[],
): StudyValue[] {
  const ctr = (series: string) => values.find((v) => v.series === series && v.metric === 'ctr')?.value;
  const out: StudyValue[] = [];
  for (const model of models) {
    const base = ctr(`${model} ${intervalLabel(intervals[0]!)}`);
    if (!base) continue;
    for (const every of intervals) {
      const series = `${model} ${intervalLabel(every)}`;
      const value = ctr(series);
      if (value !== undefined) out.push({ series, metric: 'ctr_rel', value: value / base });
    }
  }
  return out;
}

export const driftStudy: StudyDefinition = {
  name: 'drift',
  title: 'Taste drift against the retraining interval (closed loop)',
  question:
    'How often must a model be retrained when tastes drift? Every user drifts towards a new genre over ' +
    "the world, by `driftScale` (0, 0.5, 1); the world's people are served in the closed loop by models " +
    'retrained every day, every week, or never, on the events the loop itself produced. Does faster ' +
    'drift hurt more when retraining is rarer?',
  axis: 'driftScale (every user drifts; faster to the right)',
  base: {
    ...SMALL_WORLD,
    driftShare: 1,
    // every user active over the whole span: drift runs at one speed, driftScale / span
    lifetimeMedianDays: 100_000,
    lifetimeSigma: 0,
    startMs: START,
    endMs: START + SPAN_DAYS * DAY,
  },
  levels: [0, 0.5, 1].map((d) => ({ label: `${d}`, world: { driftScale: d } })),
  models: ['als', 'ease'],
  metrics: [
    { key: 'ctr', title: 'Online CTR (takes a slate) in the closed loop' },
    {
      key: 'ctr_rel',
      title: "Online CTR as a fraction of the same model's retrained every day (same world and people)",
    },
    { key: 'normalised', title: 'Normalised score: (CTR - random) / (oracle - random)' },
    { key: 'regret', title: "Regret a slate against the oracle's slate (expected takes)" },
    { key: 'true_ctr', title: 'True CTR (expected takes a slate, from the world)' },
  ],
  method:
    `A world of 1,000 users and 500 items over ${SPAN_DAYS} days, every user active throughout, ` +
    `50,000 ratings. The events of the first ${SPAN_DAYS / 2} days are written into a store of the cell's ` +
    `own, a bundle is trained on them, and ${DRIFT_LOOP.users} of the world's people are served for ` +
    `${DRIFT_LOOP.days} simulated days in the closed loop (\`reco loop\` in process: people, position bias, ` +
    "fatigue, the world's true probabilities with the drift), each model an arm of the loop's split, " +
    'slates of 10. The bundle is retrained every 1 or 7 simulated days on every event the store holds ' +
    'then (the history and the takes the loop posted), or never; ALS with 16 factors and 8 sweeps. The ' +
    'three loops of a cell meet the same people and arrivals (common random numbers); the references ' +
    '(random and oracle slates) run once per cell over the same people and days.',
  runCell: (cell) => driftCell(cell),
};

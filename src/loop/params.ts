/**
 * The closed loop's people model parameters: how simulated people arrive, look at a slate and leave. The
 * world (../simulation/) says what each person would take and when; these numbers say how a person meets
 * a list of recommendations. Every number lives here so that a loop is reproducible from (world, params,
 * seed) alone, and a tracked run records all of them.
 */
import { UsageError } from '../errors.js';

export interface PeopleParams {
  /** Mean sessions a day of a person of average activity (activity weighs each person, capped below). */
  sessionsPerDay: number;
  /** A person's arrival rate relative to the average is at most this (the heaviest users are capped). */
  activityCap: number;
  /** Examination falls with rank r (1-based): P(examine r) = r^-positionDecay (position bias). */
  positionDecay: number;
  /** Each earlier take in the session sharing a genre with an item multiplies its take probability by this. */
  genreFatigue: number;
  /** Each earlier look at the same item (examined in the loop, not taken) multiplies it by this. */
  exposureFatigue: number;
  /** Half-life of that fatigue, in days (people forget what they passed over). */
  fatigueHalfLifeDays: number;
  /** Slates in a row without a take before the person leaves the session. */
  patience: number;
  /** After a slate with a take, the person asks for another with this probability (else leaves). */
  continueAfterTake: number;
  /** Slates a session holds at most. */
  maxSlates: number;
  /** Seconds a person spends on a slate before the next request (and between two takes). */
  slateSeconds: number;
}

export const DEFAULT_PEOPLE: PeopleParams = {
  sessionsPerDay: 0.6,
  activityCap: 5,
  positionDecay: 1,
  genreFatigue: 0.9,
  exposureFatigue: 0.7,
  fatigueHalfLifeDays: 3,
  patience: 2,
  continueAfterTake: 0.7,
  maxSlates: 20,
  slateSeconds: 30,
};

/** Checks every parameter, naming the one at fault. */
export function validatePeople(p: PeopleParams): void {
  const range = (name: keyof PeopleParams, lo: number, hi: number) => {
    const v = p[name];
    if (!(typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi))
      throw new UsageError(`${name} must be a number in ${lo}..${hi} (got ${String(v)})`);
  };
  range('sessionsPerDay', 0, 100);
  range('activityCap', 1, 1000);
  range('positionDecay', 0, 10);
  range('genreFatigue', 0, 1);
  range('exposureFatigue', 0, 1);
  range('continueAfterTake', 0, 1);
  range('fatigueHalfLifeDays', 0.001, 3650);
  range('slateSeconds', 1, 3600);
  for (const name of ['patience', 'maxSlates'] as const)
    if (!Number.isInteger(p[name]) || p[name] < 1 || p[name] > 1000)
      throw new UsageError(`${name} must be an integer in 1..1000 (got ${p[name]})`);
}

/** `name=value` overrides of the people parameters (--param), each checked. */
export function peopleFromOverrides(list: readonly string[]): PeopleParams {
  const out: PeopleParams = { ...DEFAULT_PEOPLE };
  const known = new Set(Object.keys(DEFAULT_PEOPLE));
  for (const item of list) {
    const eq = item.indexOf('=');
    const key = eq > 0 ? item.slice(0, eq) : '';
    if (!known.has(key))
      throw new UsageError(`--param ${item}: unknown parameter "${key}" (known: ${[...known].join(', ')})`);
    const v = Number(item.slice(eq + 1));
    if (!Number.isFinite(v)) throw new UsageError(`--param ${item}: ${key} takes a number`);
    (out as unknown as Record<string, number>)[key] = v;
  }
  validatePeople(out);
  return out;
}

/**
 * What a loop records in its tracked run (../tracking/run-recorder.ts, kind `loop`): its parameters (the
 * loop's, the people model's, the world's), per variant its figures at the end (`<variant>.ctr`, ...) and
 * after each simulated day (step = day), the references, and the whole result as `loop.json`.
 */
import type { RunRecorder } from '../tracking/run-recorder.js';
import type { VariantMetrics } from './metrics.js';
import type { PeopleParams } from './params.js';
import type { LoopResult } from './run.js';

export interface LoopRunParams {
  mode: 'http' | 'in-process';
  server?: string;
  users: number;
  days: number;
  /** Days before the experiment (CUPED's pre-period), 0 for none. */
  preDays?: number;
  k: number;
  seed: number;
  strategies?: string;
  experiment?: string;
  people: PeopleParams;
}

export function recordLoopParams(run: RunRecorder, p: LoopRunParams): void {
  run.param('loop.mode', p.mode);
  if (p.server) run.param('loop.server', p.server);
  run.param('loop.users', String(p.users));
  run.param('loop.days', String(p.days));
  if (p.preDays) run.param('loop.preDays', String(p.preDays));
  run.param('loop.k', String(p.k));
  run.param('loop.seed', String(p.seed));
  if (p.strategies) run.param('loop.strategies', p.strategies);
  if (p.experiment) run.param('loop.experiment', p.experiment);
  for (const [key, value] of Object.entries(p.people)) run.param(`people.${key}`, String(value));
}

/** The running CTR of each variant at the end of day `day` (0-based; logged at step day + 1). */
export function recordDay(run: RunRecorder, day: number, metrics: ReadonlyMap<string, VariantMetrics>): void {
  for (const m of metrics.values()) {
    run.metric(`${m.name}.ctr`, m.takes / Math.max(1, m.slates), day + 1);
    run.metric(`${m.name}.users`, m.users, day + 1);
  }
}

export function recordLoopResult(
  run: RunRecorder,
  result: LoopResult & { reference?: { random: number; oracle: number } },
  days: number,
): void {
  for (const v of result.variants) {
    const { name, ...figures } = v;
    for (const [key, value] of Object.entries(figures))
      if (typeof value === 'number')
        run.metric(`${name}.${key}`, value, key === 'ctr' || key === 'users' ? days : 0);
  }
  if (result.reference) {
    run.metric('reference.random.ctr', result.reference.random);
    run.metric('reference.oracle.ctr', result.reference.oracle);
  }
  run.metric('loop.sessions', result.sessions);
  run.metric('loop.slates', result.slates);
  run.metric('loop.takes', result.takes);
  const { metrics: _m, pre: _p, ...json } = result;
  run.artifact('loop.json', `${JSON.stringify(json, null, 2)}\n`);
}

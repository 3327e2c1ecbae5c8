/**
 * `reco study drift`: taste drift speed against the retraining interval, offline. The closed loop
 * (`reco loop`) is not there yet, so the loop is replayed on the logged events: from the middle of the
 * world's year on, every model is refitted every N days on all the events before that day and scored on
 * the next N days' events (every user served as of the refit), beside the oracle on the same events; a
 * cell's figures are the user-weighted means over those periods. Drift: every user's taste moves over his
 * active window towards a new genre, `driftScale` of the way (0: no drift).
 */

import { evaluate } from '../evaluation/evaluate.js';
import { worldOracle } from '../evaluation/oracle.js';
import { DAY } from '../simulation/params.js';
import { SMALL_WORLD, type StudyDefinition, type StudyValue } from './study.js';
import { logBefore, worldData } from './world-log.js';

/** Retraining intervals compared (days). */
export const DRIFT_INTERVALS = [7, 28, 84];
/** The replay starts this far into the world's span. */
const REPLAY_FROM = 0.5;

export const driftStudy: StudyDefinition = {
  name: 'drift',
  title: 'Taste drift against the retraining interval (offline replay)',
  question:
    'How often must a model be retrained when tastes drift? Every user drifts towards a new genre over ' +
    'his active window, by `driftScale` (0, 0.5, 1); each model is retrained every 7, 28 or 84 days. ' +
    'Offline: the closed loop (`reco loop`) does not exist yet, so the loop is replayed on the logged ' +
    'events, and what the recommendations would have changed is not simulated.',
  axis: 'driftScale (every user drifts; faster to the right)',
  base: { ...SMALL_WORLD, driftShare: 1, lifetimeMedianDays: 120 },
  levels: [0, 0.5, 1].map((d) => ({ label: `${d}`, world: { driftScale: d } })),
  models: ['popularity', 'itemknn', 'ease'],
  metrics: [
    { key: 'ndcg_frac', title: 'NDCG@10 as a fraction of the oracle (mean over periods)' },
    { key: 'ndcg', title: 'NDCG@10 (mean over periods)' },
    { key: 'auc', title: 'AUC (mean over periods)' },
  ],
  method:
    'From the middle of the year on, each model is refitted every N days on every event before the day ' +
    "and scored on the next N days' events (a global split at the day; users served as of it), the oracle " +
    'on the same events. Per model and interval, NDCG@10 and AUC are the user-weighted means over the ' +
    "periods; the fraction is the model's mean over the oracle's.",
  async runCell(cell) {
    const { world, log, items } = worldData(cell.params);
    const oracle = worldOracle(world);
    const { startMs, endMs } = cell.params;
    const from = startMs + REPLAY_FROM * (endMs - startMs);
    const out: StudyValue[] = [];
    for (const days of DRIFT_INTERVALS) {
      const sums = new Map<string, { ndcg: number; auc: number; users: number }>();
      for (let t = from; t < endMs; t += days * DAY) {
        const part = logBefore(log, Math.min(endMs, t + days * DAY));
        if (part.length === 0 || part.timestamp[part.length - 1]! < t) continue;
        const result = await evaluate(part, items, {
          split: { kind: 'global', cut: t, seed: 42 },
          k: 10,
          models: [...cell.models],
          create: cell.create,
          oracle,
        });
        for (const row of result.rows) {
          const s = sums.get(row.model) ?? { ndcg: 0, auc: 0, users: 0 };
          s.ndcg += row.ndcg * row.users;
          s.auc += (Number.isNaN(row.auc) ? 0 : row.auc) * row.users;
          s.users += row.users;
          sums.set(row.model, s);
        }
      }
      const o = sums.get('oracle');
      for (const [model, s] of sums) {
        const series = `${model} every ${days} d`;
        const ndcg = s.ndcg / Math.max(1, s.users);
        out.push(
          { series, metric: 'ndcg', value: ndcg },
          { series, metric: 'auc', value: s.auc / Math.max(1, s.users) },
        );
        if (o && model !== 'oracle') out.push({ series, metric: 'ndcg_frac', value: s.ndcg / o.ndcg });
      }
      cell.note(
        `every ${days} d: ${[...sums].map(([m, s]) => `${m} ${(s.ndcg / Math.max(1, s.users)).toFixed(4)}`).join(', ')}`,
      );
    }
    return out;
  },
};

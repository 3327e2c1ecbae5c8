/**
 * Behaviour identity check for refactors, on MovieLens 100K (research use; read from disk, never copied):
 *
 *   node dist/bench/identity.js [--out FILE] [--compare FILE] [--models a,b] [--split random|temporal]
 *
 * Fits every model of the registry and `ranked` with their defaults on the P1 split (random per-user
 * 75/25, seed 42; or P2, temporal 80/20, with --split temporal), as the evaluation runner does (models with
 * default parameters reused by hybrid and ranked), and records, for every evaluated user, the top 10 items
 * with their scores, plus ranked's scoreAll for 60 users. `--out` writes them as JSON; `--compare` reads an
 * earlier file and prints, per model, how many users have the same top 10 (items, then items and scores
 * bit for bit). Exit code 1 when any differ.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { csrRow } from '../src/core/csr.js';
import { evaluationContext } from '../src/evaluation/evaluate.js';
import { createModel, modelNames } from '../src/models/factory.js';
import type { Recommender, UserProfile } from '../src/recommenders/recommender.js';
import type { ModelName } from '../src/types.js';
import { loadMovieLens, ML100K_DIR } from './shared-data.js';

interface ModelLists {
  /** Per user (in test-set order): his top 10 item indices joined by spaces. */
  items: string[];
  /** Per user: the scores' float32 bits in hex. */
  scores: string[];
  /** ranked only: sha256 of scoreAll's bytes for the first 60 users. */
  scoreAll?: string[];
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  if (!existsSync(join(ML100K_DIR, 'u.data'))) {
    console.log(`MovieLens 100K not found in ${ML100K_DIR} (set RECO_ML100K); skipped`);
    return;
  }
  const models = (arg('--models')?.split(',') ?? modelNames()) as ModelName[];
  const splitKind = arg('--split') ?? 'random';
  const { log, items } = await loadMovieLens(ML100K_DIR);
  const ctx = evaluationContext(
    log,
    items,
    splitKind === 'temporal' ? { kind: 'temporal', ratio: 0.8 } : { kind: 'random', ratio: 0.75, seed: 42 },
    10,
  );
  const users = ctx.testSet.users;
  const out: Record<string, ModelLists> = {};
  const defaults = new Map<ModelName, Recommender>();
  for (const name of models) {
    const t0 = performance.now();
    const model = createModel(name);
    await model.fit({
      interactions: ctx.trainX,
      log: ctx.split.train,
      items,
      ...(ctx.split.cut !== undefined ? { now: ctx.split.cut } : {}),
      fitted: defaults,
    });
    defaults.set(name, model);
    const lists: ModelLists = { items: [], scores: [] };
    for (let n = 0; n < users.length; n++) {
      const u = users[n]!;
      const profile: UserProfile = { user: u, ...csrRow(ctx.trainX, u) };
      const at = ctx.servedAt?.[u];
      if (at !== undefined && !Number.isNaN(at)) profile.at = at;
      const top = model.recommend(profile, 10);
      lists.items.push(Array.from(top.items).join(' '));
      lists.scores.push(
        Buffer.from(top.scores.buffer, top.scores.byteOffset, top.scores.byteLength).toString('hex'),
      );
      if (name === 'ranked' && n < 60) {
        const all = model.scoreAll(profile);
        (lists.scoreAll ??= []).push(
          createHash('sha256')
            .update(Buffer.from(all.buffer, all.byteOffset, all.byteLength))
            .digest('hex'),
        );
      }
    }
    out[name] = lists;
    console.log(
      `${name.padEnd(11)} ${users.length} users, fit and lists ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  const file = arg('--out');
  if (file) writeFileSync(file, JSON.stringify(out));
  const before = arg('--compare');
  if (!before) return;
  const old = JSON.parse(readFileSync(before, 'utf8')) as Record<string, ModelLists>;
  let differ = false;
  for (const name of models) {
    const a = old[name];
    const b = out[name]!;
    if (!a) {
      console.log(`${name.padEnd(11)} not in ${before}`);
      continue;
    }
    let sameItems = 0;
    let sameScores = 0;
    for (let n = 0; n < b.items.length; n++) {
      if (a.items[n] === b.items[n]) sameItems++;
      if (a.items[n] === b.items[n] && a.scores[n] === b.scores[n]) sameScores++;
    }
    const all =
      a.scoreAll && b.scoreAll ? a.scoreAll.filter((h, k) => h === b.scoreAll![k]).length : undefined;
    const ok = sameScores === b.items.length && a.items.length === b.items.length;
    if (!ok || (all !== undefined && all !== b.scoreAll!.length)) differ = true;
    console.log(
      `${name.padEnd(11)} same top 10: ${sameItems}/${b.items.length}; same items and scores: ${sameScores}/${b.items.length}${all !== undefined ? `; same scoreAll: ${all}/${b.scoreAll!.length}` : ''} ${ok ? 'IDENTICAL' : 'DIFFERENT'}`,
    );
  }
  if (differ) process.exitCode = 1;
}

await main();

/**
 * The label views' blend weights (each view's score is sigmoid(raw + blend z), z the first source's
 * per-user z-score; ./view-scorer.ts) chosen on the safety net's held-out users as served, over the sum of
 * the views. Each view's own search (./view-training.ts) judges it alone on its validation groups, but the
 * served score adds the views' probabilities, so one view's weight decides how much the other orders the
 * list: a missing view blended at 5 has probabilities near 1 for most of its top candidates, and the next
 * view then orders them (MovieLens 100K, random protocol: 0.40-0.43 NDCG@10 served, against 0.49 for the
 * source). Here every pair of weights of BLEND_GRID is scored on each view's held-out users (the image of
 * its protocol) by NDCG@10 of the served top 10 (every tree: early exit aside), and the pair whose worst
 * view is closest to (or furthest above) that view's best source wins, as the safety net's bar reads
 * each view on its own; the first pair in grid order on a tie.
 *
 * The winner replaces the views' own weights only when it beats them on their worst view by more than
 * NET_Z standard errors of the per-user differences there. Over 144 pairs and a few hundred users the
 * best worst-gap is partly noise, and it lands on corners: a 22-year half-star set of 610 users (183 held
 * out), where the held-out figures of most pairs lay within 0.005 of each other, chose (0, 0.05) and served
 * 0.3932 NDCG@10 on its random protocol, while the grid's other pairs served 0.403-0.411 and the own
 * weights (0.2, 1.5) 0.4100 (docs/ranking.md).
 */
import { GbdtPredictor } from './gbdt/predict.js';
import { NET_Z, ndcgOf, pairedGap, sourceNdcgs } from './safety-net.js';
import type { NetGroup } from './training-set.js';
import { addViewScores } from './view-scorer.js';
import { BLEND_GRID, type TrainedView } from './view-training.js';

/** What the choice measured: the weights chosen, and the worst view's NDCG@10 minus its best source's. */
export interface ViewBlendChoice {
  blends: number[];
  worstGap: number;
  /** The same for the weights each view chose alone (on its validation users). */
  ownGap: number;
  /** The best pair's worst gap, and its margin over the own weights' in standard errors (absent: no own pair). */
  bestGap?: number;
  bestZ?: number;
}

/** The choice as `reco train` prints it, after the views' served weights. */
export function formatViewBlendChoice(views: readonly TrainedView[], c: ViewBlendChoice): string {
  const best =
    c.bestZ === undefined
      ? ''
      : `; the best pair ${c.bestGap!.toFixed(4)}, ${c.bestZ.toFixed(1)} se above them: ${c.bestZ > NET_Z ? 'taken' : 'not sure enough, own weights kept'}`;
  return `view blends (on held-out users as served): ${views.map((v) => `${v.label} ${v.blend}`).join(', ')}; worst view - its best source ${c.worstGap.toFixed(4)} (each view's own weights: ${c.ownGap.toFixed(4)}${best})`;
}

/**
 * `views` with blend weights chosen on `net` (view k's held-out groups: net[k]), or unchanged when there
 * are no groups; binary views add probabilities (`probability`), lambdarank ones raw scores.
 */
export function chooseViewBlends(
  net: readonly NetGroup[][],
  views: readonly TrainedView[],
  sourceCount: number,
  probability: boolean,
): { views: TrainedView[]; choice?: ViewBlendChoice } {
  const V = views.length;
  const images = net.filter((g) => g.length > 0);
  if (images.length === 0 || V === 0) return { views: [...views] };
  const G = BLEND_GRID.length;
  const combos = G ** V;
  const predictors = views.map((v) => new GbdtPredictor(v.model));
  const own = views.map((v) => BLEND_GRID.indexOf(v.blend));
  const ownCombo = own.every((i) => i >= 0) ? own.reduce((a, i) => a * G + i, 0) : -1;
  const gaps = new Float64Array(combos).fill(Number.POSITIVE_INFINITY);
  // per image: each combination's per-user NDCG@10 (c * users + q), and its gap to the image's best source
  const perUser: Float64Array[] = [];
  const imageGaps: Float64Array[] = [];
  for (const groups of images) {
    // this image's best source (mean NDCG@10 of each source alone)
    let best = Number.NEGATIVE_INFINITY;
    for (let s = 0; s < sourceCount; s++) {
      let m = 0;
      for (const g of groups) m += sourceNdcgs(g, sourceCount)[s]!;
      best = Math.max(best, m / groups.length);
    }
    const sums = new Float64Array(combos);
    const users = new Float64Array(combos * groups.length);
    for (const [q, g] of groups.entries()) {
      // per view and weight, each candidate's view score
      const parts = predictors.map((p) => {
        const raw = p.predictRaw(g.values, g.n);
        return BLEND_GRID.map((b) => {
          const x = new Float64Array(g.n);
          addViewScores(raw, b, g.zFirst, undefined, x, probability, 0);
          return x;
        });
      });
      const score = new Float64Array(g.n);
      for (let c = 0; c < combos; c++) {
        score.fill(0);
        for (let k = V - 1, rest = c; k >= 0; k--, rest = Math.floor(rest / G)) {
          const x = parts[k]![rest % G]!;
          for (let r = 0; r < g.n; r++) score[r]! += x[r]!;
        }
        const x = ndcgOf(score, g);
        users[c * groups.length + q] = x;
        sums[c]! += x;
      }
    }
    const gapOf = Float64Array.from(sums, (x) => x / groups.length - best);
    for (let c = 0; c < combos; c++) gaps[c] = Math.min(gaps[c]!, gapOf[c]!);
    perUser.push(users);
    imageGaps.push(gapOf);
  }
  let top = 0;
  for (let c = 1; c < combos; c++) if (gaps[c]! > gaps[top]! + 1e-12) top = c;
  // the own weights stay unless the best pair is surely better on the own weights' worst image
  let chosen = top;
  let bestZ: number | undefined;
  if (ownCombo >= 0 && top !== ownCombo) {
    let k = 0;
    for (let j = 1; j < images.length; j++) if (imageGaps[j]![ownCombo]! < imageGaps[k]![ownCombo]!) k = j;
    const n = images[k]!.length;
    const at = (c: number) => perUser[k]!.subarray(c * n, (c + 1) * n);
    const { se } = pairedGap(at(top), at(ownCombo));
    bestZ = (gaps[top]! - gaps[ownCombo]!) / se;
    if (!(bestZ > NET_Z)) chosen = ownCombo;
  }
  const blends = new Array<number>(V);
  for (let k = V - 1, rest = chosen; k >= 0; k--, rest = Math.floor(rest / G))
    blends[k] = BLEND_GRID[rest % G]!;
  return {
    views: views.map((v, k) => ({ ...v, blend: blends[k]! })),
    choice: {
      blends,
      worstGap: gaps[chosen]!,
      ownGap: ownCombo >= 0 ? gaps[ownCombo]! : Number.NaN,
      ...(bestZ !== undefined ? { bestGap: gaps[top]!, bestZ } : {}),
    },
  };
}

/**
 * The ranker page's figures for the bundle serving: each label view's feature importance (LightGBM's gain,
 * ../../ranking/gbdt/explain.ts, from the view's trees as the bundle stores them) and a SHAP summary: the
 * mean |contribution| and mean contribution of each feature over the top recommendations of a seeded
 * sample of users (the ranked model's own TreeSHAP explanations). Kept per bundle version.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Rng } from '../../core/random.js';
import { featureImportance } from '../../ranking/gbdt/explain.js';
import { parseModelText } from '../../ranking/gbdt/io/model-text.js';
import type { Services } from '../../serving/compose.js';

export interface ImportanceView {
  label: string;
  features: { name: string; gain: number }[];
}

export interface ShapSummary {
  users: number;
  explained: number;
  features: { name: string; meanAbs: number; mean: number }[];
}

export interface RankerView {
  version: string;
  importance: ImportanceView[];
  shap?: ShapSummary;
  note?: string;
}

export class RankerInsights {
  private cached?: Promise<RankerView>;
  private cachedVersion?: string;

  constructor(
    private readonly services: Services,
    private readonly sampleUsers = 40,
    private readonly itemsPerUser = 3,
  ) {}

  view(): Promise<RankerView> {
    const slot = this.services.models.require();
    if (this.cached && this.cachedVersion === slot.version) return this.cached;
    this.cachedVersion = slot.version;
    this.cached = this.compute();
    return this.cached;
  }

  private async compute(): Promise<RankerView> {
    const { models, interactions, store } = this.services;
    const slot = models.require();
    if (!slot.bundle.has('ranked'))
      return { version: slot.version, importance: [], note: 'the bundle serving has no ranked model' };
    const saved = slot.bundle.savedModel('ranked');
    const importance: ImportanceView[] = [];
    for (const [key, bytes] of Object.entries(saved.arrays)) {
      const m = /^gbdt\.(next|missing)$/.exec(key);
      if (!m) continue;
      const model = parseModelText(
        Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
      );
      const gains = featureImportance(model, 'gain');
      const features = Array.from(gains, (gain, f) => ({ name: model.featureNames[f] ?? `f${f}`, gain }))
        .filter((x) => x.gain > 0)
        .sort((a, b) => b.gain - a.gain);
      importance.push({ label: m[1]!, features });
    }
    const ranked = slot.ranked;
    if (!ranked?.explain) return { version: slot.version, importance, note: 'the ranked model did not load' };
    const rng = new Rng(42, 7);
    const users = Math.min(slot.fitted.users, (await store.counts()).users);
    const sums = new Map<string, { abs: number; sum: number }>();
    let explained = 0;
    let sampled = 0;
    for (let s = 0; s < this.sampleUsers && users > 0; s++) {
      const u = rng.int(users);
      const profile = interactions.profile(u, slot);
      if (profile.items.length === 0) continue;
      sampled++;
      const top = ranked.recommend(profile, this.itemsPerUser, { excludeSeen: true });
      for (const item of top.items) {
        const e = ranked.explain(profile, item);
        for (const f of e.contributions) {
          const acc = sums.get(f.feature) ?? { abs: 0, sum: 0 };
          acc.abs += Math.abs(f.contribution);
          acc.sum += f.contribution;
          sums.set(f.feature, acc);
        }
        explained++;
      }
      await yieldToLoop(); // one user at a time: requests are answered in between
    }
    const features = [...sums.entries()]
      .map(([name, a]) => ({
        name,
        meanAbs: a.abs / Math.max(1, explained),
        mean: a.sum / Math.max(1, explained),
      }))
      .sort((a, b) => b.meanAbs - a.meanAbs);
    return { version: slot.version, importance, shap: { users: sampled, explained, features } };
  }
}

/**
 * The ranked model in a bundle (save/load): its sources' own saved models under `<source>.`, the feature
 * state's columns and the items' genres and release times, and each view's trees in LightGBM's text
 * format (`gbdt.<label>`, the catalogue model's `gbdt.catalogue.<label>`); the meta holds the parameters,
 * the feature spec, the views' blend weights and the training report.
 * Bundles saved before the label views were named next and missing (`gbdt.temporal`, `gbdt.random`,
 * views labelled 'temporal' and 'random') load as they are, their views renamed.
 */
import { RecoError } from '../errors.js';
import type { FeatureSpec } from '../features/build.js';
import { FeatureState } from '../features/state.js';
import { HybridRecommender } from '../recommenders/hybrid.js';
import { loadRecommender } from '../recommenders/index.js';
import type { SavedModel, TypedArray } from '../recommenders/recommender.js';
import type { ItemRecord } from '../types.js';
import { modelToText, parseModelText } from './gbdt/io/model-text.js';
import type { LabelView } from './params.js';
import type { NetBlend } from './safety-net.js';
import type { FittedRanker, RankerTrainingReport } from './train-ranker.js';
import type { TrainedView } from './view-training.js';

/** A label view as saved: its name (older bundles: 'temporal' or 'random') and blend weight. */
interface SavedView {
  label: string;
  blend: number;
}

/** The meta a ranked model saves. */
type RankedMeta = SavedModel['meta'] & {
  spec: FeatureSpec;
  sources: SavedModel['meta'][];
  views?: SavedView[];
  catalogueViews?: SavedView[];
  nUsers: number;
  nItems: number;
  now: number;
  /** The source the safety net serves instead of the trees (absent: the trees). */
  fallback?: string;
  /** The source the safety net blends into the trees' score, and its weight (absent: none). */
  netBlend?: NetBlend;
  training?: RankerTrainingReport;
};

/** The label views' names in bundles saved before they were named as in the docs. */
const OLDER_LABELS: Readonly<Record<string, LabelView>> = { temporal: 'next', random: 'missing' };

/** A saved view's label as named now, or a RecoError. */
function labelOf(saved: string): LabelView {
  if (saved === 'next' || saved === 'missing') return saved;
  const label = OLDER_LABELS[saved];
  if (label === undefined) throw new RecoError(`ranked: saved model has an unknown label view '${saved}'`);
  return label;
}

/** The saved model of a fitted ranker with its parameters as written down (`params`) and training report. */
export function saveRanker(
  fitted: FittedRanker,
  params: Record<string, unknown>,
  report: RankerTrainingReport | undefined,
): SavedModel {
  const { state, spec } = fitted;
  const arrays: Record<string, TypedArray> = {};
  const sources = fitted.sources.map((m) => {
    const saved = m.save();
    for (const [k, a] of Object.entries(saved.arrays)) arrays[`${m.name}.${k}`] = a;
    return saved.meta;
  });
  const cols = state.columns();
  arrays['state.user'] = cols.user;
  arrays['state.item'] = cols.item;
  arrays['state.time'] = cols.time;
  arrays['state.weight'] = cols.weight;
  arrays['state.rating'] = cols.rating;
  arrays['items.genreIndptr'] = state.genres.indptr;
  arrays['items.genreIndices'] = state.genres.indices;
  arrays['items.release'] = state.release;
  const text = (v: TrainedView) => new Uint8Array(Buffer.from(modelToText(v.model), 'utf8'));
  for (const v of fitted.views) arrays[`gbdt.${v.label}`] = text(v);
  for (const v of fitted.catalogue) arrays[`gbdt.catalogue.${v.label}`] = text(v);
  const meta: RankedMeta = {
    name: 'ranked',
    params,
    spec,
    sources,
    views: fitted.views.map((v) => ({ label: v.label, blend: v.blend })),
    catalogueViews: fitted.catalogue.map((v) => ({ label: v.label, blend: v.blend })),
    nUsers: state.nUsers,
    nItems: fitted.nItems,
    now: fitted.now,
    ...(fitted.fallback ? { fallback: fitted.fallback } : {}),
    ...(fitted.netBlend ? { netBlend: fitted.netBlend } : {}),
    ...(report ? { training: report } : {}),
  };
  return { meta, arrays };
}

/** A saved ranker's parameters as written down, its fitted parts and training report. */
export function loadRanker(saved: SavedModel): {
  params: Record<string, unknown>;
  fitted: FittedRanker;
  report?: RankerTrainingReport;
} {
  const meta = saved.meta as RankedMeta;
  if (!Array.isArray(meta.views))
    throw new RecoError(
      'ranked: the saved model comes from an older reco (one LambdaMART model, no label views); retrain it with: reco train',
    );
  const arr = <T extends TypedArray>(k: string, C: new (n: number) => T): T => {
    const a = saved.arrays[k];
    if (!(a instanceof C)) throw new RecoError(`ranked: saved model lacks array '${k}' of type ${C.name}`);
    return a;
  };
  const sources = meta.sources.map((sm) => {
    const prefix = `${sm.name}.`;
    const arrays: Record<string, TypedArray> = {};
    for (const [k, a] of Object.entries(saved.arrays))
      if (k.startsWith(prefix)) arrays[k.slice(prefix.length)] = a;
    return loadRecommender(sm.name, { meta: sm, arrays });
  });
  // a hybrid's components that are sources too were saved twice: held and scored once (as when fitted)
  for (const m of sources) if (m instanceof HybridRecommender) m.shareComponents(sources);
  const gi = arr('items.genreIndptr', Int32Array);
  const gx = arr('items.genreIndices', Int32Array);
  const release = arr('items.release', Float64Array);
  const items: ItemRecord[] = [];
  for (let i = 0; i < meta.nItems; i++) {
    const rec: ItemRecord = {
      id: String(i),
      genres: Array.from(gx.subarray(gi[i]!, gi[i + 1]!), (g) => meta.spec.genres[g]!),
    };
    if (!Number.isNaN(release[i]!)) rec.createdAt = release[i]!;
    items.push(rec);
  }
  const state = FeatureState.fromColumns(
    {
      user: arr('state.user', Int32Array),
      item: arr('state.item', Int32Array),
      time: arr('state.time', Float64Array),
      weight: arr('state.weight', Float32Array),
      rating: arr('state.rating', Float32Array),
    },
    meta.nUsers,
    meta.nItems,
    items,
  );
  // each view's trees under the label it was saved with
  const trees = (prefix: string, v: SavedView): TrainedView => ({
    label: labelOf(v.label),
    model: parseModelText(Buffer.from(arr(`${prefix}${v.label}`, Uint8Array)).toString('utf8')),
    blend: v.blend,
  });
  const training = meta.training && {
    ...meta.training,
    views: meta.training.views.map((v) => ({ ...v, label: labelOf(v.label) })),
  };
  return {
    params: meta.params,
    fitted: {
      sources,
      state,
      spec: meta.spec,
      views: meta.views.map((v) => trees('gbdt.', v)),
      catalogue: (meta.catalogueViews ?? []).map((v) => trees('gbdt.catalogue.', v)),
      nItems: meta.nItems,
      now: meta.now,
      ...(meta.fallback ? { fallback: meta.fallback } : {}),
      ...(meta.netBlend ? { netBlend: meta.netBlend } : {}),
    },
    ...(training ? { report: training } : {}),
  };
}

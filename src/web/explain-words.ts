/**
 * Why an item is recommended, in plain words, from the recommendation's explanation (explain=true: its
 * candidate sources and the features that moved its score): "Because you liked Heat" when one of the
 * person's liked titles is among the item's most similar items, then what the sources and the strongest
 * positive features mean ("people who liked what you liked also liked it", "popular this week").
 */
import type { RecommendedItem } from '../serving/answers.js';

const SOURCE_WORDS = new Map<string, string>([
  ['itemknn', 'people who liked what you liked also liked it'],
  ['ease', 'it fits the pattern of your likes'],
  ['als', 'it matches your taste profile'],
  ['popularity', 'it is popular'],
  ['content', 'its genres and story resemble what you liked'],
  ['hybrid', 'several of our models agree'],
  ['neighbours', 'it is close to what you liked last'],
]);

/** Feature name prefixes, most specific first, and what a positive contribution of each means. */
const FEATURE_WORDS: [string, string][] = [
  ['ui_genre', 'it is in genres you like'],
  ['ui_recent_genre', 'it is in genres you watched lately'],
  ['u_genre', 'it is in genres you like'],
  ['ui_sim_last', 'it is close to what you liked last'],
  ['ui_ease_last', 'it is close to what you liked last'],
  ['ui_item_trend', 'it was trending when you were last here'],
  ['ui_score', 'it scores high for you'],
  ['ui_rank', 'it ranks high among your candidates'],
  ['ui_sources', 'several sources propose it'],
  ['i_trend', 'it is trending'],
  ['i_events_7d', 'it is popular this week'],
  ['i_events_30d', 'it is popular this month'],
  ['i_pop', 'it is popular'],
  ['i_events', 'it is popular'],
  ['i_mean_rating', 'people rate it well'],
  ['i_age_days', 'it is a recent release'],
  ['blend_', 'it scores high for you'],
];

/** `ui_score_itemknn_`, `ui_score_rel_hybrid_`, `ui_rank_ease_`: a source's own score, said as the source. */
const SOURCE_FEATURE = /^ui_(?:score_rel|score|rank)_([a-z]+)_?$/;

export function featureWords(name: string): string | undefined {
  const source = SOURCE_FEATURE.exec(name)?.[1];
  if (source !== undefined && SOURCE_WORDS.has(source)) return SOURCE_WORDS.get(source);
  for (const [prefix, words] of FEATURE_WORDS) if (name.startsWith(prefix)) return words;
  return undefined;
}

/**
 * The reasons for one recommended item: `becauseOf` is a title the person liked that resembles it (the
 * caller finds it), then the sources' and top features' meanings, without repeats, at most three.
 */
export function reasons(item: RecommendedItem, becauseOf: string | undefined): string[] {
  const out: string[] = [];
  if (becauseOf !== undefined) out.push(`Because you liked ${becauseOf}`);
  const add = (s: string | undefined) => {
    if (s !== undefined && !out.includes(s) && out.length < 3) out.push(s);
  };
  const positive = (item.features ?? []).filter((f) => (f.contribution ?? 0) > 0);
  for (const f of positive.slice(0, 3)) add(f.name !== undefined ? featureWords(f.name) : undefined);
  for (const s of item.sources ?? []) add(SOURCE_WORDS.get(s));
  // capitalise all but "Because ..."
  return out.map((s) => s.charAt(0).toUpperCase() + s.slice(1));
}

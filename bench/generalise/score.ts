/**
 * NDCG@K computed outside reco, from the files alone: the held-out (user, item) pairs against the lists
 * that `reco recommend --all` wrote. Binary relevance: every held-out item of a user is relevant (ratings
 * and counts alike), except items he also has on the train side (reco excludes seen items, so they cannot
 * be found). Users with at least one relevant item are scored; a user without a list scores 0.
 */

/** Per user, the held-out items he does not have on the train side; users left with none are dropped. */
export function heldOut(
  train: Map<string, Set<string>>,
  test: Map<string, Set<string>>,
): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [user, items] of test) {
    const seen = train.get(user);
    const rel = new Set([...items].filter((i) => !seen?.has(i)));
    if (rel.size > 0) out.set(user, rel);
  }
  return out;
}

/** Binary NDCG@k of one list: sum over hits of 1/log2(rank + 1), over the ideal min(k, |relevant|) hits. */
export function ndcgOne(list: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  let dcg = 0;
  for (let r = 0; r < Math.min(k, list.length); r++) if (relevant.has(list[r]!)) dcg += 1 / Math.log2(r + 2);
  let ideal = 0;
  for (let r = 0; r < Math.min(k, relevant.size); r++) ideal += 1 / Math.log2(r + 2);
  return ideal > 0 ? dcg / ideal : 0;
}

export interface Score {
  ndcg: number;
  /** Users scored (with relevant held-out items). */
  users: number;
  /** Of them, users the file has no list for (scored 0). */
  missing: number;
}

/** Mean NDCG@k over the users of `relevant`. */
export function meanNdcg(relevant: Map<string, Set<string>>, lists: Map<string, string[]>, k: number): Score {
  let sum = 0;
  let missing = 0;
  for (const [user, rel] of relevant) {
    const list = lists.get(user);
    if (!list) missing++;
    else sum += ndcgOne(list, rel, k);
  }
  return { ndcg: relevant.size > 0 ? sum / relevant.size : Number.NaN, users: relevant.size, missing };
}

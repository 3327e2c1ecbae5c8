/** A ranked item list (dense indices) as a text table with the items' titles and genres. */
import { formatTable } from '../evaluation/report.js';
import type { Store } from '../store/store.js';
import type { TopN } from '../types.js';

/** A float32 score as short text (7 significant digits, what float32 holds). */
export const scoreText = (v: number): string => String(Number(v.toPrecision(7)));

export async function formatItemList(store: Store, top: TopN): Promise<string> {
  const itemIds = store.itemIds();
  const rows = [['rank', 'item', 'score', 'title', 'genres']];
  for (let r = 0; r < top.items.length; r++) {
    const item = await store.getItem(itemIds[top.items[r]!]!);
    rows.push([
      String(r + 1),
      item?.id ?? '',
      scoreText(top.scores[r]!),
      item?.title ?? '',
      (item?.genres ?? []).join('|'),
    ]);
  }
  return formatTable(rows);
}

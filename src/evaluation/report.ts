/** The evaluation results as a fixed-width text table (one row per model) and as JSON. */
import type { EvaluationResult, MetricRow } from './evaluate.js';

interface Column {
  head: string;
  get: (r: MetricRow) => number;
  digits: number;
}

function columns(k: number): Column[] {
  return [
    { head: `P@${k}`, get: (r) => r.precision, digits: 4 },
    { head: `R@${k}`, get: (r) => r.recall, digits: 4 },
    { head: `NDCG@${k}`, get: (r) => r.ndcg, digits: 4 },
    { head: `gNDCG@${k}`, get: (r) => r.ndcgGraded, digits: 4 },
    { head: `MAP@${k}`, get: (r) => r.map, digits: 4 },
    { head: 'MRR', get: (r) => r.mrr, digits: 4 },
    { head: `HR@${k}`, get: (r) => r.hitRate, digits: 4 },
    { head: 'AUC', get: (r) => r.auc, digits: 4 },
    { head: 'cover', get: (r) => r.coverage, digits: 4 },
    { head: 'novelty', get: (r) => r.novelty, digits: 3 },
    { head: 'ILD', get: (r) => r.diversity, digits: 4 },
    { head: 'pop%', get: (r) => r.popularity, digits: 3 },
    { head: 'fit s', get: (r) => r.fitSeconds, digits: 2 },
  ];
}

/** Rows of cells, first row the header; a header row and text columns left-aligned, numbers right-aligned. */
export function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '),
    )
    .join('\n');
}

export function formatResultTable(result: EvaluationResult): string {
  const cols = columns(result.k);
  const rows = [['model', ...cols.map((c) => c.head)]];
  for (const r of result.rows) {
    rows.push([r.model, ...cols.map((c) => (Number.isNaN(c.get(r)) ? '-' : c.get(r).toFixed(c.digits)))]);
  }
  return formatTable(rows);
}

/** A header line saying what was evaluated. */
export function describeResult(result: EvaluationResult): string {
  return (
    `${result.split}; K=${result.k}; train ${result.trainEvents.toLocaleString('en-US')} events, ` +
    `test ${result.testEvents.toLocaleString('en-US')}; ${result.users.toLocaleString('en-US')} users evaluated` +
    (result.coldUsers > 0 ? ` (${result.coldUsers} cold users without train events skipped)` : '') +
    `; ${result.items.toLocaleString('en-US')} items; diversity over ${result.diversityVectors}` +
    (result.servedAt === 'user'
      ? '; each user served as of his last train event'
      : result.servedAt === 'now'
        ? ''
        : `; every user served as of ${result.servedAt}`)
  );
}

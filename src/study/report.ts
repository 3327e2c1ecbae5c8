/**
 * A study's report folder: README.md (the question, the method, one table per metric: each series' mean
 * and 95 % t-interval over the seeds at each level, the charts, the runs) and one SVG chart per metric
 * (./svg.ts), plus results.json with every cell's values.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StudyResult } from './run-study.js';
import { type Interval, meanInterval } from './stats.js';
import type { StudyDefinition } from './study.js';
import { lineChartSvg } from './svg.js';

/** The cells' values by series, metric and level: each an interval over the seeds. */
export type StudySummary = Map<string, Map<string, Map<string, Interval>>>;

export function summarize(result: StudyResult): StudySummary {
  const raw = new Map<string, Map<string, Map<string, number[]>>>();
  for (const cell of result.cells)
    for (const v of cell.values) {
      let byMetric = raw.get(v.series);
      if (!byMetric) raw.set(v.series, (byMetric = new Map()));
      let byLevel = byMetric.get(v.metric);
      if (!byLevel) byMetric.set(v.metric, (byLevel = new Map()));
      const list = byLevel.get(cell.level);
      if (list) list.push(v.value);
      else byLevel.set(cell.level, [v.value]);
    }
  const out: StudySummary = new Map();
  for (const [series, byMetric] of raw) {
    const m = new Map<string, Map<string, Interval>>();
    for (const [metric, byLevel] of byMetric)
      m.set(metric, new Map([...byLevel].map(([level, xs]) => [level, meanInterval(xs)])));
    out.set(series, m);
  }
  return out;
}

/** "0.812 ± 0.013" (the interval's half-width; no ± with a single seed). */
export function formatInterval(i: Interval | undefined): string {
  if (!i || !Number.isFinite(i.mean)) return '-';
  return Number.isFinite(i.half) ? `${i.mean.toFixed(3)} ± ${i.half.toFixed(3)}` : i.mean.toFixed(3);
}

const cellText = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** The series that have `metric`, in first-seen order. */
function seriesWith(summary: StudySummary, metric: string): string[] {
  return [...summary].filter(([, m]) => m.has(metric)).map(([s]) => s);
}

export function metricTable(summary: StudySummary, levels: string[], metric: string): string {
  const lines = [
    `| series | ${levels.map(cellText).join(' | ')} |`,
    `|---|${levels.map(() => '---:').join('|')}|`,
  ];
  for (const series of seriesWith(summary, metric)) {
    const byLevel = summary.get(series)!.get(metric)!;
    lines.push(`| ${cellText(series)} | ${levels.map((l) => formatInterval(byLevel.get(l))).join(' | ')} |`);
  }
  return lines.join('\n');
}

export interface WrittenReport {
  dir: string;
  files: string[];
  markdown: string;
}

/** Writes the report of `result` into `dir` (created); `command` and the wall time go in the text. */
export function writeReport(
  dir: string,
  def: StudyDefinition,
  result: StudyResult,
  command: string,
): WrittenReport {
  mkdirSync(dir, { recursive: true });
  const summary = summarize(result);
  const levels = result.levels.map((l) => l.label);
  const files: string[] = [];
  const md: string[] = [
    `# Study \`${def.name}\`: ${def.title}`,
    '',
    def.question,
    '',
    `**Method.** ${def.method} Every figure is the mean over ${result.seeds} seed${result.seeds === 1 ? '' : 's'} ` +
      '(one simulated world each) with its 95 % Student-t interval (± half-width).',
    '',
    `Command: \`${command}\`; wall time ${result.seconds.toFixed(0)} s for ${result.cells.length} cells.`,
    '',
  ];
  for (const m of def.metrics) {
    if (seriesWith(summary, m.key).length === 0) continue;
    const file = `${m.key}.svg`;
    const svg = lineChartSvg({
      title: m.title,
      xLabel: def.axis,
      yLabel: m.key,
      x: levels,
      series: seriesWith(summary, m.key).map((s) => {
        const byLevel = summary.get(s)!.get(m.key)!;
        return {
          name: s,
          points: levels.map((l) => byLevel.get(l) ?? { mean: Number.NaN, half: Number.NaN, n: 0 }),
        };
      }),
    });
    writeFileSync(join(dir, file), svg);
    files.push(file);
    md.push(`## ${m.title}`, '', metricTable(summary, levels, m.key), '', `![${m.title}](${file})`, '');
  }
  for (const [k, pair] of (def.pairs ?? []).entries())
    for (const level of levels) {
      const file = `pair-${k + 1}-${levels.indexOf(level) + 1}.svg`;
      const names = [...summary].filter(([, m]) => pair.metrics.every((x) => m.has(x))).map(([s]) => s);
      const svg = lineChartSvg({
        title: levels.length > 1 ? `${pair.title} (${level})` : pair.title,
        xLabel: 'measured',
        yLabel: pair.metrics.join(', '),
        x: pair.labels,
        series: names.map((s) => ({
          name: s,
          points: pair.metrics.map(
            (metric) => summary.get(s)!.get(metric)!.get(level) ?? { mean: Number.NaN, half: Number.NaN },
          ),
        })),
      });
      writeFileSync(join(dir, file), svg);
      files.push(file);
      md.push(`![${pair.title}](${file})`, '');
    }
  md.push(
    '## Runs',
    '',
    `Each cell is a tracked run of kind \`study\` (\`reco runs list --kind study\`, \`reco runs show ID\`).`,
    '',
    '| level | seed | run | seconds |',
    '|---|---:|---|---:|',
    ...result.cells.map((c) => `| ${cellText(c.level)} | ${c.seed} | ${c.runId} | ${c.seconds.toFixed(1)} |`),
    '',
  );
  const markdown = md.join('\n');
  writeFileSync(join(dir, 'README.md'), markdown);
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify(result, null, 2)}\n`);
  files.push('README.md', 'results.json');
  return { dir, files, markdown };
}

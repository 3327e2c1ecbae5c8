/**
 * Small SVG charts for study reports, written from the numbers: one line per series over categorical x
 * levels, each point with its interval as an error bar, a legend below. Every text is escaped; the output
 * is a standalone file (no script, no external reference).
 */

export interface ChartSeries {
  name: string;
  /** One point per x level: mean and interval half-width (NaN: no bar; a NaN mean: no point). */
  points: { mean: number; half: number }[];
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  x: string[];
  series: ChartSeries[];
}

const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#17becf',
  '#bcbd22',
];

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** "Nice" tick values covering [lo, hi] (steps of 1, 2 or 5 times a power of ten). */
export function niceTicks(lo: number, hi: number, want = 5): number[] {
  if (!(hi > lo)) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.05 : 0.05;
    return niceTicks(lo - pad, hi + pad, want);
  }
  const raw = (hi - lo) / want;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  if (out[out.length - 1]! < hi) out.push(Number((out[out.length - 1]! + step).toPrecision(12)));
  return out;
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : String(Number(v.toPrecision(3))));

export function lineChartSvg(c: LineChart): string {
  const W = 720;
  const left = 64;
  const right = 20;
  const top = 40;
  const plotH = 260;
  const legendRows = Math.ceil(c.series.length / 3);
  const H = top + plotH + 56 + legendRows * 20;
  const plotW = W - left - right;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const s of c.series)
    for (const p of s.points) {
      if (!Number.isFinite(p.mean)) continue;
      const h = Number.isFinite(p.half) ? p.half : 0;
      lo = Math.min(lo, p.mean - h);
      hi = Math.max(hi, p.mean + h);
    }
  if (!Number.isFinite(lo)) {
    lo = 0;
    hi = 1;
  }
  const ticks = niceTicks(lo, hi);
  const y0 = ticks[0]!;
  const y1 = ticks[ticks.length - 1]!;
  const y = (v: number) => top + plotH - ((v - y0) / (y1 - y0)) * plotH;
  const n = c.x.length;
  const x = (k: number) => left + (n === 1 ? plotW / 2 : 70 + (k * (plotW - 140)) / (n - 1));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(c.title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(c.title)}</text>`,
  ];
  for (const t of ticks) {
    const ty = y(t).toFixed(1);
    out.push(
      `<line x1="${left}" x2="${W - right}" y1="${ty}" y2="${ty}" stroke="#e5e5e5"/>`,
      `<text x="${left - 6}" y="${ty}" dy="4" text-anchor="end" fill="#333">${escapeXml(fmt(t))}</text>`,
    );
  }
  out.push(
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#333"/>`,
    `<line x1="${left}" x2="${W - right}" y1="${top + plotH}" y2="${top + plotH}" stroke="#333"/>`,
    `<text transform="translate(16 ${top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#333">${escapeXml(c.yLabel)}</text>`,
    `<text x="${left + plotW / 2}" y="${top + plotH + 40}" text-anchor="middle" fill="#333">${escapeXml(c.xLabel)}</text>`,
  );
  for (let k = 0; k < n; k++)
    out.push(
      `<text x="${x(k).toFixed(1)}" y="${top + plotH + 18}" text-anchor="middle" fill="#333">${escapeXml(c.x[k]!)}</text>`,
    );
  c.series.forEach((s, j) => {
    const color = PALETTE[j % PALETTE.length]!;
    const shift = (j - (c.series.length - 1) / 2) * 3; // bars side by side, not on top of each other
    const pts: string[] = [];
    s.points.forEach((p, k) => {
      if (!Number.isFinite(p.mean)) return;
      const px = x(k) + shift;
      pts.push(`${px.toFixed(1)},${y(p.mean).toFixed(1)}`);
      if (Number.isFinite(p.half) && p.half > 0)
        out.push(
          `<line x1="${px.toFixed(1)}" x2="${px.toFixed(1)}" y1="${y(p.mean - p.half).toFixed(1)}" y2="${y(p.mean + p.half).toFixed(1)}" stroke="${color}" stroke-width="1.5"/>`,
        );
      out.push(`<circle cx="${px.toFixed(1)}" cy="${y(p.mean).toFixed(1)}" r="3.5" fill="${color}"/>`);
    });
    if (pts.length > 1)
      out.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`);
    const lx = left + (j % 3) * (plotW / 3);
    const ly = top + plotH + 60 + Math.floor(j / 3) * 20;
    out.push(
      `<rect x="${lx}" y="${ly - 9}" width="14" height="4" fill="${color}"/>`,
      `<text x="${lx + 20}" y="${ly - 3}" fill="#333">${escapeXml(s.name)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

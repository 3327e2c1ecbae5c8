/**
 * Charts: time series and curves are drawn by uPlot in the browser (../static/app.js reads the JSON at
 * `data-chart` and refreshes it every `data-refresh` seconds); bars are SVG drawn here (no script, no
 * inline style: widths are SVG attributes), with the figures as text beside them.
 */
export function Chart(p: { src: string; label: string; refresh?: number; caption?: string }) {
  return (
    <figure class="chart">
      <div
        class="plot"
        data-chart={p.src}
        data-refresh={p.refresh ? String(p.refresh) : undefined}
        role="img"
        aria-label={p.label}
      ></div>
      <figcaption>{p.caption ?? p.label}</figcaption>
    </figure>
  );
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(0)}k`;
  if (a >= 100) return v.toFixed(0);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

/** Horizontal bars, one per row, longest first as given; negative values drawn leftwards in another colour. */
export function Bars(p: { rows: { label: string; value: number }[]; label: string }) {
  const max = Math.max(1e-12, ...p.rows.map((r) => Math.abs(r.value)));
  const rowH = 20;
  const labelW = 190;
  const barW = 260;
  const h = p.rows.length * rowH + 4;
  return (
    <figure class="bars">
      <svg
        viewBox={`0 0 ${labelW + barW + 70} ${h}`}
        role="img"
        aria-label={p.label}
        preserveAspectRatio="xMinYMin meet"
      >
        {p.rows.map((r, j) => {
          const w = Math.max(1, (Math.abs(r.value) / max) * barW);
          const y = j * rowH + 2;
          return (
            <g>
              <text x={labelW - 6} y={y + 14} text-anchor="end" class="bar-label">
                {r.label.length > 28 ? `${r.label.slice(0, 27)}…` : r.label}
              </text>
              <rect
                x={labelW}
                y={y + 3}
                width={w}
                height={rowH - 6}
                class={r.value < 0 ? 'bar neg' : 'bar'}
              />
              <text x={labelW + w + 4} y={y + 14} class="bar-value">
                {fmt(r.value)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>{p.label}</figcaption>
    </figure>
  );
}

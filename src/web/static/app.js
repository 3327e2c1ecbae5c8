// reco's web app: draws the operators' charts with uPlot from the JSON at each element's data-chart
// (refreshed every data-refresh seconds). htmx does the rest (partial updates). No inline script anywhere.
// JSON: { kind: 'time' | 'line', x: number[], series: [{ label, values }], xLabel?, logY? }
const COLOURS = ['#2456c9', '#d9480f', '#2b8a3e', '#862e9c', '#c2255c', '#0b7285', '#5c940d', '#e67700'];

// The value axis as wide as its longest tick label (uPlot's fixed 50 px cuts "10,000" to "0,000").
function valueAxisWidth(_u, values) {
  if (!values) return 50;
  const longest = values.reduce((n, v) => Math.max(n, String(v ?? '').length), 0);
  return Math.max(50, Math.ceil(longest * 7.5) + 22);
}

function optionsFor(el, data) {
  const width = Math.max(240, el.clientWidth || 300);
  return {
    width,
    height: 220,
    scales: { x: { time: data.kind === 'time' }, y: data.logY ? { distr: 3 } : {} },
    axes: [{ label: data.xLabel }, { size: valueAxisWidth }],
    legend: { show: data.series.length > 1 },
    series: [
      {},
      ...data.series.map((s, j) => ({
        label: s.label,
        stroke: COLOURS[j % COLOURS.length],
        width: 2,
        spanGaps: true,
      })),
    ],
  };
}

function columns(data) {
  return [data.x, ...data.series.map((s) => s.values)];
}

async function load(el) {
  const res = await fetch(el.dataset.chart, {
    headers: { accept: 'application/json' },
    credentials: 'same-origin',
  });
  if (!res.ok) throw new Error(`${el.dataset.chart}: ${res.status}`);
  return res.json();
}

async function draw(el) {
  if (typeof uPlot === 'undefined') return;
  let data = await load(el);
  let plot = new uPlot(optionsFor(el, data), columns(data), el);
  const refresh = Number(el.dataset.refresh);
  if (refresh > 0)
    setInterval(async () => {
      try {
        const next = await load(el);
        if (next.series.length !== data.series.length) {
          plot.destroy();
          plot = new uPlot(optionsFor(el, next), columns(next), el);
        } else plot.setData(columns(next));
        data = next;
      } catch {
        // a failed refresh keeps the last picture
      }
    }, refresh * 1000);
  new ResizeObserver(() => plot.setSize({ width: Math.max(240, el.clientWidth), height: 220 })).observe(el);
}

function start() {
  for (const el of document.querySelectorAll('[data-chart]')) draw(el).catch(() => {});
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();

/* global document, window, getComputedStyle */
// The charts of the reports page (Chart.js), bundled into templates/web/assets/report-charts.js by
// `npm run build:assets`. Progressive enhancement: without this script the tables are the report.
// Each table marked `data-chart` is read (rows `tr[data-chart-label]`, cells `[data-series]` with
// the raw number in `data-value`; the series' names are the header cells `th[data-series]`) and drawn
// on a canvas this script puts above it. Only the Chart.js parts used are registered, so the bundle
// keeps only those. Nothing here injects scripts or styles (CSP `script-src 'self'; style-src 'self'`):
// Chart.js sizes its canvas through the CSSOM, which the policy allows.
//
// Each canvas keeps the numbers it drew in `data-drawn` (JSON: one array per series, in the table's
// unit), so a test can compare them with the table.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);

/** The series colours, in order (the app's accent first); readable on white. */
const COLOURS = ['#2563eb', '#16a34a', '#d97706', '#dc2626', '#7c3aed', '#0891b2'];
/** Series whose meaning has a colour: good news green, bad news red. */
const SERIES_COLOURS = { solved: '#16a34a', reopened: '#d97706', met: '#16a34a', breached: '#dc2626' };

/**
 * What a table holds: its row labels and, per series, its name and numbers (null for an empty cell).
 * @param {HTMLTableElement} table
 */
export function readTable(table) {
  const series = [...table.querySelectorAll('thead th[data-series]')].map((th) => ({ key: th.getAttribute('data-series') ?? '', name: (th.textContent ?? '').trim() }));
  const rows = [...table.querySelectorAll('tbody tr[data-chart-label]')];
  const labels = rows.map((tr) => tr.getAttribute('data-chart-label') ?? '');
  const values = series.map((s) =>
    rows.map((tr) => {
      const cell = [...tr.querySelectorAll('[data-series]')].find((c) => c.getAttribute('data-series') === s.key);
      const raw = cell?.getAttribute('data-value');
      return raw === undefined || raw === null || raw === '' ? null : Number(raw);
    }),
  );
  return { labels, series, values };
}

/** @param {HTMLTableElement} table */
function draw(table) {
  const { labels, series, values } = readTable(table);
  if (labels.length === 0 || series.length === 0) return;
  const type = table.getAttribute('data-chart') === 'line' ? 'line' : 'bar';
  // Durations are stored in seconds and drawn in the unit the table names (e.g. 3600: hours).
  const scale = Number(table.getAttribute('data-chart-scale') ?? '1') || 1;
  const stacked = table.hasAttribute('data-chart-stacked');
  const wrap = document.createElement('div');
  wrap.className = 'report-chart';
  const canvas = document.createElement('canvas');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', table.getAttribute('data-chart-title') ?? '');
  wrap.append(canvas);
  table.before(wrap);
  const ink = getComputedStyle(document.body).color;
  const chart = new Chart(canvas, {
    type,
    data: {
      labels,
      datasets: series.map((s, i) => ({
        label: s.name,
        data: values[i].map((v) => (v === null ? null : v / scale)),
        backgroundColor: SERIES_COLOURS[s.key] ?? COLOURS[i % COLOURS.length],
        borderColor: SERIES_COLOURS[s.key] ?? COLOURS[i % COLOURS.length],
        borderWidth: type === 'line' ? 2 : 0,
        pointRadius: 2,
      })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { position: 'bottom', labels: { color: ink, boxWidth: 12 } } },
      scales: {
        x: { stacked, ticks: { color: ink, autoSkip: true, maxRotation: 0 } },
        y: { stacked, beginAtZero: true, ticks: { color: ink, precision: scale === 1 ? 0 : undefined } },
      },
    },
  });
  // What was drawn, back in the table's unit.
  canvas.setAttribute('data-drawn', JSON.stringify(chart.data.datasets.map((d) => d.data.map((v) => (v === null ? null : Math.round(Number(v) * scale * 1000) / 1000)))));
  wrap.setAttribute('data-chart-ready', '');
}

function start() {
  for (const table of document.querySelectorAll('table[data-chart]')) draw(/** @type {HTMLTableElement} */ (table));
}

if (typeof window !== 'undefined') {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}

/**
 * Charts: a ChartSpec is pure data (built by the kinds' report parts and by compare/compare-chart.ts);
 * renderChart draws it with chart.js on @napi-rs/canvas and returns the PNG's bytes. One look in
 * every chart: a scenario's colour and marker (style.ts), its means joined by a line with their
 * interval bars, every repetition as a dot beside them, the thesis's figures as ×, notes on the
 * points they qualify, and under the figure one legend and the caption (n, interval, machine,
 * version, date). A figure of several panels (small multiples) shares one y axis.
 */
import { createCanvas, GlobalFonts, type SKRSContext2D } from '@napi-rs/canvas';
import { existsSync } from 'node:fs';
import { Chart, type ChartConfiguration, type ChartDataset, type Plugin, type PointStyle } from 'chart.js/auto';
import { drawPoint } from 'chart.js/helpers';
import type { ChartPanel, ChartPoint, ChartSeries, ChartSpec } from '../kinds/kind.js';
import { faded, scenarioStyles, type ScenarioStyle } from './style.js';

/** A chart's data, built by the kinds' report parts and by compare. */
export type { ChartNote, ChartPanel, ChartPoint, ChartSeries, ChartSpec } from '../kinds/kind.js';

export const CHART_WIDTH = 1000;
/** a figure of one panel, whatever its legend and caption take; of several panels: PANEL_HEIGHT a row */
export const CHART_HEIGHT = 600;
const PANEL_HEIGHT = 340;
const TITLE_HEIGHT = 44;
const DASHES = [[], [8, 4], [2, 3], [12, 3, 2, 3]];
const GREY = '#666666';

/**
 * Text needs a font file: @napi-rs/canvas loads the system's fonts, and a minimal Debian has none,
 * so every label would silently vanish. Prefer DejaVu Sans (Debian: fonts-dejavu-core).
 * Returns the family used, or null when this machine has no font at all.
 */
let fontFamily: string | null | undefined;
export function chartFont(): string | null {
  if (fontFamily !== undefined) return fontFamily;
  const paths = [
    '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
    '/usr/share/fonts/TTF/DejaVuSans.ttf',
    '/usr/share/fonts/dejavu/DejaVuSans.ttf',
    '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  ];
  const families = () => GlobalFonts.families.map((f) => f.family);
  if (!families().includes('DejaVu Sans')) for (const p of paths) if (existsSync(p) && GlobalFonts.registerFromPath(p)) break;
  const all = families();
  fontFamily = all.includes('DejaVu Sans') ? 'DejaVu Sans' : (all.find((f) => /sans/i.test(f)) ?? all[0] ?? null);
  return fontFamily;
}

const kindOf = (s: ChartSeries) => s.kind ?? 'mean';
const allSeries = (spec: ChartSpec) => spec.panels.flatMap((p) => p.series);

/** Every scenario's style, the same in each panel of the figure. */
export function specStyles(spec: ChartSpec): Map<string, ScenarioStyle> {
  return scenarioStyles(allSeries(spec).map((s) => s.scenario));
}

/** The x's ticked: the names given, else every x measured (a thesis marker or a level line gets no tick). */
function xTicks(spec: ChartSpec): number[] {
  if (spec.xTicks) return spec.xTicks.map((t) => t.value);
  const measured = allSeries(spec).filter((s) => kindOf(s) === 'mean' || kindOf(s) === 'repetitions');
  return [...new Set((measured.length ? measured : allSeries(spec)).flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
}

/** The x axis: linear from the lowest x to the highest (thesis markers included), with room for the scenarios' dots beside each x. */
export function xRange(spec: ChartSpec): { min: number; max: number; ticks: number[]; step: number } {
  const ticks = xTicks(spec);
  const xs = [...ticks, ...allSeries(spec).flatMap((s) => s.points.map((p) => p.x))];
  const [lo, hi] = [Math.min(...xs), Math.max(...xs)];
  const range = hi > lo ? hi - lo : Math.max(1, Math.abs(lo));
  // the scenarios' dots sit side by side around each x, a step apart
  const step = range * 0.03;
  const pad = range * 0.07;
  return { min: lo - pad, max: hi + pad, ticks, step };
}

/** Where each scenario of a panel sits beside an x: centred on it, a step apart, in the order they come. */
function offsets(panel: ChartPanel, step: number): Map<string, number> {
  const names = [...new Set(panel.series.filter((s) => ['mean', 'repetitions'].includes(kindOf(s))).map((s) => s.scenario))];
  return new Map(names.map((n, i) => [n, (i - (names.length - 1) / 2) * step]));
}

/** The y axis of a figure: from 0 (or, on a log axis, the decade below the least value) to above every bar and dot. */
export function yRange(spec: ChartSpec): { min: number; max: number } {
  const values = allSeries(spec).flatMap((s) => s.points.flatMap((p) => [p.y, p.high ?? p.y, ...(spec.logY ? [p.low ?? p.y] : [])]));
  const finite = values.filter((v) => Number.isFinite(v) && (!spec.logY || v > 0));
  const top = Math.max(...finite, spec.logY ? 10 : 1);
  if (!spec.logY) return { min: 0, max: niceCeil(top * 1.06) };
  const least = Math.min(...finite, top);
  return { min: 10 ** Math.floor(Math.log10(least)), max: 10 ** Math.ceil(Math.log10(top * 1.05)) };
}

/** The least of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × a power of ten at or above v: an axis that ends on a tick. */
export function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((m) => m * p).find((x) => x >= v * (1 - 1e-12))!;
}

const dashOf = (s: ChartSeries) => (s.second ? DASHES[1] : kindOf(s) === 'level' ? [6, 4] : DASHES[(s.dash ?? 0) % DASHES.length]);

/** A dot per repetition, just right of its mean's marker, spread a little so that equal values stay visible. */
function spread(points: readonly ChartPoint[], step: number): ChartPoint[] {
  const seen = new Map<number, number>();
  return points.map((p) => {
    const k = seen.get(p.x) ?? 0;
    seen.set(p.x, k + 1);
    return { ...p, x: p.x + step * (0.3 + (k % 3) * 0.08) };
  });
}

function dataset(s: ChartSeries, style: ScenarioStyle, dx: number, step: number, lines: boolean): ChartDataset<'line'> {
  const kind = kindOf(s);
  const shifted = (kind === 'repetitions' ? spread(s.points, step) : s.points).map((p) => ({ ...p, x: p.x + (kind === 'level' ? 0 : dx) }));
  const base = { label: s.label, data: shifted.map((p) => ({ x: p.x, y: p.y })), borderColor: style.color, clip: false as const };
  if (kind === 'repetitions') {
    return {
      ...base,
      showLine: false,
      pointStyle: style.marker as PointStyle,
      pointRadius: 3,
      pointBorderWidth: 1,
      borderColor: faded(style.color, 0.8),
      backgroundColor: faded(style.color, 0.35),
      pointBackgroundColor: shifted.map((p) => (p.hollow ? '#ffffff' : faded(style.color, 0.35))),
    };
  }
  if (kind === 'reference')
    return { ...base, showLine: false, pointStyle: 'crossRot', pointRadius: 9, pointBorderWidth: 3, backgroundColor: style.color };
  if (kind === 'level') return { ...base, pointRadius: 0, borderWidth: 1.5, borderDash: dashOf(s), backgroundColor: style.color };
  const hollow = (i: number) => shifted[i]?.hollow === true;
  return {
    ...base,
    borderWidth: 2,
    borderDash: dashOf(s),
    showLine: lines,
    pointStyle: style.marker as PointStyle,
    pointRadius: 5,
    pointBorderWidth: 2,
    backgroundColor: style.color,
    pointBackgroundColor: shifted.map((p) => (p.hollow || s.second ? '#ffffff' : style.color)),
    // a line into a level that lost most of its requests is dotted: what it reaches is not comparable
    segment: { borderDash: (ctx) => (hollow(ctx.p0DataIndex) || hollow(ctx.p1DataIndex) ? [2, 4] : undefined) },
  };
}

const whiteBackground: Plugin = {
  id: 'whiteBackground',
  beforeDraw(chart) {
    chart.ctx.save();
    chart.ctx.fillStyle = '#ffffff';
    chart.ctx.fillRect(0, 0, chart.width, chart.height);
    chart.ctx.restore();
  },
};

/** Bars with caps from low to high at every mean that has an interval, cut at the plot's edges. */
function errorBars(series: readonly ChartSeries[], styles: Map<string, ScenarioStyle>): Plugin {
  return {
    id: 'errorBars',
    afterDatasetsDraw(chart) {
      const { ctx, chartArea: area } = chart;
      const y = chart.scales.y;
      ctx.save();
      ctx.beginPath();
      ctx.rect(area.left - 40, area.top, area.right - area.left + 80, area.bottom - area.top);
      ctx.clip();
      series.forEach((s, i) => {
        if (kindOf(s) !== 'mean') return;
        const meta = chart.getDatasetMeta(i);
        s.points.forEach((p, j) => {
          const el = meta.data[j];
          if (!el || p.low === null || p.high === null) return;
          const top = y.getPixelForValue(p.high);
          const bottom = p.low > 0 || !(y.type === 'logarithmic') ? y.getPixelForValue(p.low) : area.bottom;
          ctx.strokeStyle = styles.get(s.scenario)!.color;
          ctx.lineWidth = 1.6;
          ctx.setLineDash([]);
          ctx.beginPath();
          for (const [x0, y0, x1, y1] of [
            [el.x, top, el.x, bottom],
            [el.x - 5, top, el.x + 5, top],
            [el.x - 5, bottom, el.x + 5, bottom],
          ]) {
            ctx.moveTo(x0, y0);
            ctx.lineTo(x1, y1);
          }
          ctx.stroke();
        });
      });
      ctx.restore();
    },
  };
}

/** The notes beside their points ("lost 92 %"), in the scenario's colour, above the point and kept inside the plot. */
function notes(panel: ChartPanel, styles: Map<string, ScenarioStyle>, dx: Map<string, number>): Plugin {
  return {
    id: 'notes',
    afterDraw(chart) {
      const { ctx, chartArea: area } = chart;
      ctx.save();
      ctx.font = `bold 12px ${chartFont() ?? 'sans-serif'}`;
      ctx.textBaseline = 'bottom';
      const placed: { x: number; y: number; w: number }[] = [];
      for (const n of panel.notes ?? []) {
        const px = chart.scales.x.getPixelForValue(n.x + (dx.get(n.scenario) ?? 0));
        const w = ctx.measureText(n.text).width;
        let x = Math.min(Math.max(px - w / 2, area.left + 2), area.right - w - 2);
        let y = Math.max(area.top + 14, Math.min(chart.scales.y.getPixelForValue(n.y) - 10, area.bottom - 2));
        // a note that would cover another goes above it
        while (placed.some((p) => Math.abs(p.y - y) < 14 && x < p.x + p.w && p.x < x + w)) y -= 14;
        if (y < area.top + 12) y = area.top + 12;
        x = Math.round(x);
        placed.push({ x, y, w });
        ctx.fillStyle = 'rgba(255,255,255,0.8)';
        ctx.fillRect(x - 2, y - 14, w + 4, 15);
        ctx.fillStyle = styles.get(n.scenario)!.color;
        ctx.fillText(n.text, x, y);
      }
      ctx.restore();
    },
  };
}

/** One panel's chart.js configuration (a figure of one panel: `chartConfig(spec)`). */
export function chartConfig(spec: ChartSpec, index = 0): ChartConfiguration<'line'> {
  const panel = spec.panels[index];
  const styles = specStyles(spec);
  const axis = xRange(spec);
  const dx = offsets(panel, axis.step);
  const y = yRange(spec);
  const names = new Map((spec.xTicks ?? []).map((t) => [t.value, t.label]));
  const several = spec.panels.length > 1;
  return {
    type: 'line',
    data: {
      datasets: panel.series.map((s) => dataset(s, styles.get(s.scenario)!, dx.get(s.scenario) ?? 0, axis.step, spec.lines !== false)),
    },
    options: {
      responsive: false,
      animation: false,
      devicePixelRatio: 1,
      layout: { padding: { left: 6, right: 16, top: 4, bottom: 4 } },
      plugins: {
        title: { display: several, text: panel.title, font: { size: 15, weight: 'bold' }, color: '#333' },
        legend: { display: false },
      },
      scales: {
        x: {
          type: 'linear',
          min: axis.min,
          max: axis.max,
          title: { display: true, text: spec.xLabel ?? 'simultaneous requests (level)' },
          // ticks at the measured levels, as the thesis's figures have them
          afterBuildTicks: (scale) => {
            scale.ticks = axis.ticks.map((value) => ({ value }));
          },
          ticks: { callback: (v) => names.get(Number(v)) ?? Number(v).toLocaleString('en-US') },
          grid: { display: false },
        },
        y: {
          type: spec.logY ? 'logarithmic' : 'linear',
          min: y.min,
          max: y.max,
          title: { display: !several || index % columns(spec.panels.length) === 0, text: spec.yLabel },
          ticks: spec.logY
            ? { callback: (v) => (/^[1]/.test(String(Number(v))) ? Number(v).toLocaleString('en-US') : '') }
            : { callback: (v) => Number(v).toLocaleString('en-US') },
        },
      },
    },
    plugins: [whiteBackground, errorBars(panel.series, styles), notes(panel, styles, dx)],
  };
}

/** Panels side by side: up to three in a row (four: two by two). */
export const columns = (n: number) => (n === 4 ? 2 : Math.min(n, 3));

interface LegendEntry {
  label: string;
  style: ScenarioStyle;
  series?: ChartSeries;
  shared?: boolean;
}

/** The legend's entries: every line and marker once, then what the dots and hollow marks mean. */
function legendEntries(spec: ChartSpec, styles: Map<string, ScenarioStyle>): LegendEntry[] {
  const seen = new Set<string>();
  const out: LegendEntry[] = [];
  const shown = allSeries(spec).filter((s) => kindOf(s) !== 'repetitions');
  for (const s of shown) {
    if (seen.has(s.label)) continue;
    seen.add(s.label);
    // a line of every panel's scenario (p50 … max): its pattern in grey, no scenario's colour or marker
    const shared = new Set(shown.filter((x) => x.label === s.label).map((x) => x.scenario)).size > 1;
    out.push({ label: s.label, style: shared ? { color: GREY, marker: 'circle' } : styles.get(s.scenario)!, series: s, shared });
  }
  return out;
}

function keyText(spec: ChartSpec): string[] {
  const series = allSeries(spec);
  const reps = series.filter((s) => kindOf(s) === 'repetitions');
  const out: string[] = [];
  if (reps.length) out.push('dots: each repetition');
  if (series.some((s) => kindOf(s) === 'mean' && s.points.some((p) => p.low !== null))) out.push('bars: 95 % interval of the mean');
  if (reps.some((s) => s.points.some((p) => p.hollow))) out.push('hollow dot: a generator-bound repetition');
  if (series.some((s) => kindOf(s) === 'mean' && s.points.some((p) => p.hollow)))
    out.push('hollow mean, dotted line: most requests lost there (the figure is of the few that completed)');
  return out;
}

/** Words wrapped to a width, as the canvas measures them. */
function wrap(ctx: SKRSContext2D, text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (line && ctx.measureText(next).width > width) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

/** The legend's rows: entries laid left to right, wrapped. */
function legendRows(ctx: SKRSContext2D, entries: readonly LegendEntry[], width: number): LegendEntry[][] {
  const rows: LegendEntry[][] = [[]];
  let used = 0;
  for (const e of entries) {
    const w = 52 + ctx.measureText(e.label).width + 22;
    if (used + w > width && rows.at(-1)!.length) {
      rows.push([]);
      used = 0;
    }
    rows.at(-1)!.push(e);
    used += w;
  }
  return rows.filter((r) => r.length);
}

function drawLegendEntry(ctx: SKRSContext2D, e: LegendEntry, x: number, y: number, lines: boolean): number {
  const s = e.series!;
  const kind = kindOf(s);
  ctx.save();
  ctx.strokeStyle = e.style.color;
  ctx.fillStyle = s.second ? '#ffffff' : e.style.color;
  if (kind !== 'reference' && (lines || kind !== 'mean')) {
    ctx.lineWidth = kind === 'level' ? 1.5 : 2;
    ctx.setLineDash(dashOf(s));
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x + 40, y);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  const ctx2d = ctx as unknown as CanvasRenderingContext2D;
  if (kind === 'reference') {
    ctx.lineWidth = 2.5;
    drawPoint(ctx2d, { pointStyle: 'crossRot', radius: 7, borderWidth: 2.5 }, x + 20, y);
  } else if (kind === 'mean' && !e.shared) {
    ctx.lineWidth = 2;
    drawPoint(ctx2d, { pointStyle: e.style.marker, radius: 5, borderWidth: 2 }, x + 20, y);
  }
  ctx.fillStyle = '#333';
  ctx.fillText(e.label, x + 48, y);
  ctx.restore();
  return 48 + ctx.measureText(e.label).width + 22;
}

/** One figure as PNG bytes: the title, the panels, one legend, what the marks mean and the caption. */
export function renderChart(spec: ChartSpec): Buffer {
  const font = chartFont() ?? 'sans-serif';
  Chart.defaults.font.family = font;
  Chart.defaults.font.size = 13;
  const n = spec.panels.length;
  const cols = columns(n);
  const rows = Math.ceil(n / cols);
  const pw = Math.floor(CHART_WIDTH / cols);
  const styles = specStyles(spec);

  // measure the legend and caption first: they set the height
  const probe = createCanvas(CHART_WIDTH, 100).getContext('2d');
  probe.font = `13px ${font}`;
  const entries = legendRows(probe, legendEntries(spec, styles), CHART_WIDTH - 40);
  const key = wrap(probe, keyText(spec).join(' · '), CHART_WIDTH - 40);
  probe.font = `12px ${font}`;
  const caption = wrap(probe, spec.caption, CHART_WIDTH - 40);
  const below = 10 + entries.length * 24 + key.length * 18 + 8 + caption.length * 16 + 12;
  const ph = n === 1 ? Math.max(300, CHART_HEIGHT - TITLE_HEIGHT - below) : PANEL_HEIGHT;
  const height = TITLE_HEIGHT + rows * ph + below;

  const canvas = createCanvas(CHART_WIDTH, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, CHART_WIDTH, height);
  ctx.fillStyle = '#222';
  ctx.font = `bold 20px ${font}`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(spec.title, CHART_WIDTH / 2, TITLE_HEIGHT / 2 + 2);
  spec.panels.forEach((_, i) => {
    const panel = createCanvas(pw, ph);
    const chart = new Chart(panel as typeof panel & HTMLCanvasElement, chartConfig(spec, i));
    try {
      ctx.drawImage(panel, (i % cols) * pw, TITLE_HEIGHT + Math.floor(i / cols) * ph);
    } finally {
      chart.destroy();
    }
  });
  let y = TITLE_HEIGHT + rows * ph + 10 + 12;
  ctx.textAlign = 'left';
  ctx.font = `13px ${font}`;
  for (const row of entries) {
    const width = row.reduce((w, e) => w + 48 + ctx.measureText(e.label).width + 22, -22);
    let x = (CHART_WIDTH - width) / 2;
    for (const e of row) x += drawLegendEntry(ctx, e, x, y, spec.lines !== false);
    y += 24;
  }
  ctx.fillStyle = GREY;
  ctx.textAlign = 'center';
  for (const line of key) {
    ctx.fillText(line, CHART_WIDTH / 2, y);
    y += 18;
  }
  y += 8;
  ctx.font = `12px ${font}`;
  for (const line of caption) {
    ctx.fillText(line, CHART_WIDTH / 2, y);
    y += 16;
  }
  return canvas.toBuffer('image/png');
}

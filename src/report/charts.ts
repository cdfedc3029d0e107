/**
 * Charts: a ChartSpec is pure data (x = the level, or the repetition; y with its unit; a line per
 * series, 95 % CI error bars, the thesis's figures as markers), built by the kinds' report parts
 * and by compare; renderChart draws one with chart.js on @napi-rs/canvas and returns the PNG's bytes.
 */
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import { existsSync } from 'node:fs';
import { Chart, type ChartConfiguration, type Plugin } from 'chart.js/auto';
import type { ChartSeries, ChartSpec } from '../kinds/kind.js';

/** A chart's data, built by the kinds' report parts and by compare. */
export type { ChartPoint, ChartSeries, ChartSpec } from '../kinds/kind.js';

export const CHART_WIDTH = 1000;
export const CHART_HEIGHT = 600;

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const DASHES = [[], [8, 4], [2, 3], [12, 3, 2, 3]];

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

const whiteBackground: Plugin = {
  id: 'whiteBackground',
  beforeDraw(chart) {
    chart.ctx.save();
    chart.ctx.fillStyle = '#ffffff';
    chart.ctx.fillRect(0, 0, chart.width, chart.height);
    chart.ctx.restore();
  },
};

/** Vertical bars with caps from ci_low to ci_high at every point that has an interval. */
function errorBars(series: ChartSeries[]): Plugin {
  return {
    id: 'errorBars',
    afterDatasetsDraw(chart) {
      const { ctx, chartArea: area } = chart;
      const y = chart.scales.y;
      ctx.save();
      // a CI that reaches below 0 (a count near 0) is cut at the axis, not drawn over the labels
      ctx.beginPath();
      ctx.rect(area.left - 6, area.top, area.right - area.left + 12, area.bottom - area.top);
      ctx.clip();
      series.forEach((s, i) => {
        const meta = chart.getDatasetMeta(i);
        if (!chart.isDatasetVisible(i)) return;
        s.points.forEach((p, j) => {
          const el = meta.data[j];
          if (!el || p.low === null || p.high === null) return;
          const top = y.getPixelForValue(p.high);
          const bottom = y.getPixelForValue(p.low);
          ctx.save();
          ctx.strokeStyle = PALETTE[s.color % PALETTE.length];
          ctx.lineWidth = 1.5;
          ctx.beginPath();
          ctx.moveTo(el.x, top);
          ctx.lineTo(el.x, bottom);
          ctx.moveTo(el.x - 5, top);
          ctx.lineTo(el.x + 5, top);
          ctx.moveTo(el.x - 5, bottom);
          ctx.lineTo(el.x + 5, bottom);
          ctx.stroke();
          ctx.restore();
        });
      });
      ctx.restore();
    },
  };
}

/**
 * The x axis (the level, or the repetition): linear, so that 1000 → 5000 takes 4/9 of 1000 → 10000
 * as it does in requests; from the lowest x drawn to the highest, with no stretch before the first
 * level that chart.js's round numbers would add; ticks at exactly the measured x's (a thesis marker
 * may sit between them, or beyond them, but gets no tick).
 */
function xAxis(spec: ChartSpec): { min?: number; max?: number; ticks: number[] } {
  const xs = (series: readonly ChartSeries[]) => [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const all = xs(spec.series);
  const measured = xs(spec.series.filter((s) => !s.reference));
  const ticks = measured.length ? measured : all;
  // one x alone: chart.js centres it in a range of its own
  return all.length > 1 ? { min: all[0], max: all.at(-1), ticks } : { ticks };
}

export function chartConfig(spec: ChartSpec): ChartConfiguration<'line'> {
  const axis = xAxis(spec);
  return {
    type: 'line',
    data: {
      datasets: spec.series.map((s) => ({
        label: s.label,
        data: s.points.map((p) => ({ x: p.x, y: p.y })),
        borderColor: PALETTE[s.color % PALETTE.length],
        backgroundColor: PALETTE[s.color % PALETTE.length],
        borderDash: s.reference ? [2, 3] : s.dashed ? [8, 4] : DASHES[(s.dash ?? 0) % DASHES.length], // the legend draws it
        showLine: !s.reference,
        pointStyle: s.reference ? 'crossRot' : 'circle',
        pointRadius: s.reference ? 8 : 3,
        pointBorderWidth: s.reference ? 2.5 : 1,
        borderWidth: 2,
        clip: false as const, // a thesis marker at the last level sits on the chart's edge
      })),
    },
    options: {
      responsive: false,
      animation: false,
      devicePixelRatio: 1,
      layout: { padding: { left: 8, right: 24, top: 8, bottom: 8 } },
      plugins: {
        title: { display: true, text: spec.title, font: { size: 20 } },
        subtitle: {
          display: spec.series.some((s) => s.reference),
          text: "× the thesis's published figures; bars: 95 % confidence interval",
          padding: { bottom: 8 },
        },
        legend: {
          position: 'bottom',
          // a box of height 0 is drawn as a short line in the series' own dash pattern
          labels: { boxWidth: 40, boxHeight: 0 },
        },
      },
      scales: {
        x: {
          type: 'linear',
          min: axis.min,
          max: axis.max,
          title: { display: true, text: spec.xLabel ?? 'simultaneous requests (level)' },
          // ticks at the measured levels, as the thesis's figures have them
          afterBuildTicks: (scale) => {
            if (axis.ticks.length) scale.ticks = axis.ticks.map((value) => ({ value }));
          },
        },
        // room for the top of every error bar
        y: {
          beginAtZero: true,
          suggestedMax: Math.max(0, ...spec.series.flatMap((s) => s.points.map((p) => p.high ?? p.y))),
          title: { display: true, text: spec.yLabel },
        },
      },
    },
    plugins: [whiteBackground, errorBars(spec.series)],
  };
}

/** One chart as PNG bytes. */
export function renderChart(spec: ChartSpec): Buffer {
  const font = chartFont();
  if (font) Chart.defaults.font.family = font;
  Chart.defaults.font.size = 14;
  const canvas = createCanvas(CHART_WIDTH, CHART_HEIGHT);
  // @napi-rs/canvas implements what chart.js uses of an HTMLCanvasElement (getContext, width, height)
  const chart = new Chart(canvas as typeof canvas & HTMLCanvasElement, chartConfig(spec));
  try {
    return canvas.toBuffer('image/png');
  } finally {
    chart.destroy();
  }
}

/**
 * The report's charts, drawn once when the pack is made: Observable Plot renders each into an SVG element of
 * a linkedom document (a DOM without a browser), and the SVG's markup goes into the page as it is. The page
 * then needs no script and no font or library from anywhere. Every chart draws per-day or per-key totals,
 * never records, so its size does not grow with the period's traffic.
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';

/** A4 portrait less the page margins, at 96 px per inch: the charts print at their drawn size. */
export const CHART_WIDTH = 680;
const BAR = '#2f6690';
const FAILURE = '#b23a48';

const { document } = parseHTML('<!doctype html><html><body></body></html>');

/** Whole-number ticks for counts: no "0.5 sign-ins" on an axis whose largest value is small. */
const countTicks = (values: number[]) => Math.max(1, Math.min(5, Math.max(0, ...values)));

function svgOf(options: Plot.PlotOptions): string {
  const chart = Plot.plot({ document, width: CHART_WIDTH, style: { background: 'white' }, ...options });
  return (chart as unknown as { outerHTML: string }).outerHTML;
}

/** At most ~12 labelled days on the axis, whatever the period (a quarter has 92). */
function dayTicks(days: string[]): string[] {
  const step = Math.max(1, Math.ceil(days.length / 12));
  return days.filter((_, i) => i % step === 0);
}

/** One bar per day of the period, zero days included (so the bar count is the day count). */
export function perDayChart(perDay: Record<string, number>, yLabel: string, failure = false): string {
  const days = Object.keys(perDay);
  const data = days.map((day) => ({ day, count: perDay[day] ?? 0 }));
  return svgOf({
    height: 220,
    marginBottom: 34,
    x: {
      type: 'band',
      domain: days,
      ticks: dayTicks(days),
      tickFormat: (d: string) => d.slice(5),
      label: null,
    },
    y: { grid: true, label: yLabel, tickFormat: '~s', ticks: countTicks(data.map((d) => d.count)) },
    marks: [
      Plot.barY(data, {
        x: 'day',
        y: 'count',
        fill: failure ? FAILURE : BAR,
        title: (d) => `${d.day}: ${d.count}`,
      }),
      Plot.ruleY([0]),
    ],
  });
}

/** Horizontal bars, largest first, each labelled with its count. */
export function rankingChart(
  entries: { label: string; count: number }[],
  xLabel: string,
  failure = false,
): string {
  const longest = Math.max(...entries.map((e) => e.label.length), 4);
  return svgOf({
    height: 30 + entries.length * 24,
    marginLeft: Math.min(260, 12 + longest * 6.2),
    marginRight: 48,
    x: { grid: true, label: xLabel, tickFormat: '~s', ticks: countTicks(entries.map((e) => e.count)) },
    y: { label: null, domain: entries.map((e) => e.label) },
    marks: [
      Plot.barX(entries, { y: 'label', x: 'count', fill: failure ? FAILURE : BAR }),
      Plot.text(entries, {
        y: 'label',
        x: 'count',
        text: (e) => e.count.toLocaleString('en-US'),
        dx: 6,
        textAnchor: 'start',
      }),
      Plot.ruleX([0]),
    ],
  });
}

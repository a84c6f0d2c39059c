/**
 * The report's charts, drawn once when the pack is made: Observable Plot renders each into an SVG element of
 * a linkedom document (a DOM without a browser), and the SVG's markup goes into the page as it is. The page
 * then needs no script and no font or library from anywhere. Every chart draws per-day or per-key totals,
 * never records, so its size does not grow with the period's traffic.
 *
 * Everything a chart shows is in the page's language: the axis label comes from the dictionary, counts are
 * formatted for its locale, and Plot's own English accessibility labels ("bar", "x-axis tick label") are
 * replaced by the chart's caption on the SVG (role img); each mark keeps its kind as data-mark for tests.
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';

/** A4 portrait less the page margins, at 96 px per inch: the charts print at their drawn size. */
export const CHART_WIDTH = 680;
const BAR = '#2f6690';
const FAILURE = '#b23a48';
/** The height of one ranked key: its bar is BAND × (1 − BAND_PADDING) thick, whatever the number of keys. */
export const BAND = 26;
const BAND_PADDING = 0.2;
/** Room above the first bar and below the last (the count axis and its label). */
const RANKING_MARGIN_TOP = 8;
const RANKING_MARGIN_BOTTOM = 38;

const { document } = parseHTML('<!doctype html><html><body></body></html>');

/** What every chart is told: its accessible name (the caption), the locale of its numbers, its count label. */
export interface ChartWords {
  caption: string;
  locale: string;
  /** The count axis's label ("count", "件数"). */
  count: string;
  failure?: boolean;
}

/** Whole-number ticks for counts: no "0.5 sign-ins" on an axis whose largest value is small. */
const countTicks = (values: number[]) => Math.max(1, Math.min(5, Math.max(0, ...values)));

function svgOf(words: ChartWords, options: Plot.PlotOptions): string {
  const chart = Plot.plot({
    document,
    width: CHART_WIDTH,
    style: { background: 'white' },
    ...options,
  }) as unknown as Element;
  for (const mark of chart.querySelectorAll('[aria-label]')) {
    mark.setAttribute('data-mark', mark.getAttribute('aria-label') ?? '');
    mark.removeAttribute('aria-label');
  }
  chart.setAttribute('role', 'img');
  chart.setAttribute('aria-label', words.caption);
  return chart.outerHTML;
}

/** At most ~12 labelled days on the axis, whatever the period (a quarter has 92). */
function dayTicks(days: string[]): string[] {
  const step = Math.max(1, Math.ceil(days.length / 12));
  return days.filter((_, i) => i % step === 0);
}

/** One bar per day of the period, zero days included (so the bar count is the day count). */
export function perDayChart(perDay: Record<string, number>, words: ChartWords): string {
  const format = new Intl.NumberFormat(words.locale).format;
  const days = Object.keys(perDay);
  const data = days.map((day) => ({ day, count: perDay[day] ?? 0 }));
  return svgOf(words, {
    height: 220,
    marginBottom: 34,
    x: {
      type: 'band',
      domain: days,
      ticks: dayTicks(days),
      // MM-DD: the period's dates are ISO in both languages (the header gives the year).
      tickFormat: (d: string) => d.slice(5),
      label: null,
    },
    y: {
      grid: true,
      label: words.count,
      tickFormat: format,
      ticks: countTicks(data.map((d) => d.count)),
    },
    marks: [
      Plot.barY(data, {
        x: 'day',
        y: 'count',
        fill: words.failure ? FAILURE : BAR,
        title: (d) => `${d.day}: ${format(d.count)}`,
      }),
      Plot.ruleY([0]),
    ],
  });
}

/**
 * Horizontal bars, largest first, each labelled with its count. The height grows by one band per key, so a
 * single key draws a bar as thick as any other (a fixed-height chart left one key a 3 px line); no key, no
 * chart.
 */
export function rankingChart(entries: { label: string; count: number }[], words: ChartWords): string {
  if (entries.length === 0) return '';
  const format = new Intl.NumberFormat(words.locale).format;
  const longest = Math.max(...entries.map((e) => e.label.length), 4);
  return svgOf(words, {
    // Plot pads the band scale by BAND_PADDING steps in all (before the first, after the last): n + padding steps.
    height: RANKING_MARGIN_TOP + RANKING_MARGIN_BOTTOM + Math.round(BAND * (entries.length + BAND_PADDING)),
    marginTop: RANKING_MARGIN_TOP,
    marginBottom: RANKING_MARGIN_BOTTOM,
    marginLeft: Math.min(260, 12 + longest * 6.2),
    marginRight: 48,
    x: {
      grid: true,
      label: words.count,
      tickFormat: format,
      ticks: countTicks(entries.map((e) => e.count)),
    },
    y: { label: null, domain: entries.map((e) => e.label), padding: BAND_PADDING },
    marks: [
      Plot.barX(entries, { y: 'label', x: 'count', fill: words.failure ? FAILURE : BAR }),
      Plot.text(entries, {
        y: 'label',
        x: 'count',
        text: (e) => format(e.count),
        dx: 6,
        textAnchor: 'start',
      }),
      Plot.ruleX([0]),
    ],
  });
}

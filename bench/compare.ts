/**
 * Whether a bench run calls for new figures in the docs: the numbers that moved by more than a threshold
 * (10%) against the run the docs cite. Figures are refreshed when the code they measure changes or when
 * this finds a move, not after every run (docs/design.md, "How the figures are kept").
 */

export interface MovedFigure {
  /** Where the number is, e.g. `rows.ours.coldMedianMs` or `export.seconds`. */
  path: string;
  cited: number;
  measured: number;
}

/** The run's identity, not a measurement: never compared. */
const RUN_FIELDS = new Set(['date', 'machine', 'node']);

/** Every number in a result, by path; rows of a table are named by their `variant` rather than their index. */
function numbersOf(value: unknown, path: string, into: Map<string, number>): Map<string, number> {
  if (typeof value === 'number') into.set(path, value);
  else if (Array.isArray(value)) {
    value.forEach((item, index) => {
      const name = (item as { variant?: unknown } | null)?.variant;
      numbersOf(item, `${path}.${typeof name === 'string' ? name : index}`, into);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (path === '' && RUN_FIELDS.has(key)) continue;
      numbersOf(item, path === '' ? key : `${path}.${key}`, into);
    }
  }
  return into;
}

/** The numbers present in both results whose relative change exceeds `threshold` (0.1 = 10%). */
export function movedFigures(cited: unknown, measured: unknown, threshold = 0.1): MovedFigure[] {
  const before = numbersOf(cited, '', new Map());
  const moved: MovedFigure[] = [];
  for (const [path, now] of numbersOf(measured, '', new Map())) {
    const then = before.get(path);
    if (then === undefined || then === now) continue;
    const change = then === 0 ? Number.POSITIVE_INFINITY : Math.abs(now - then) / Math.abs(then);
    if (change > threshold) moved.push({ path, cited: then, measured: now });
  }
  return moved;
}

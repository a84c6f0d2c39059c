/** The bench's "do the docs need new figures?" check: only a move of more than 10% counts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { movedFigures } from '../../../bench/compare.ts';

const cited = {
  date: '2026-11-27T02:07:16.284Z',
  machine: '2 × AMD EPYC, 24 GiB',
  node: 'v22.23.3',
  rows: [
    { variant: 'ours', coldMedianMs: 98.2, bundleKb: 339.9 },
    { variant: 'floor', coldMedianMs: 94.2, bundleKb: 324.1 },
  ],
  ratios: { coldOursOverFloor: 1.043 },
  export: { seconds: 3.4, items: 100000 },
};

describe('bench: figures that moved against the cited run', () => {
  it('reports nothing for a run within 10% of the cited one, whatever its date, machine or Node', () => {
    const run = {
      ...cited,
      date: '2026-12-01T00:00:00.000Z',
      node: 'v22.30.0',
      rows: [
        { variant: 'ours', coldMedianMs: 106.0, bundleKb: 339.9 },
        { variant: 'floor', coldMedianMs: 90.0, bundleKb: 324.1 },
      ],
    };
    assert.deepEqual(movedFigures(cited, run), []);
  });

  it('names each figure that moved by more than 10%, by variant and field, with both values', () => {
    const run = {
      ...cited,
      rows: [
        { variant: 'floor', coldMedianMs: 94.2, bundleKb: 324.1 },
        { variant: 'ours', coldMedianMs: 110.0, bundleKb: 339.9 },
      ],
      ratios: { coldOursOverFloor: 1.17 },
      export: { seconds: 2.9, items: 100000 },
    };
    assert.deepEqual(movedFigures(cited, run), [
      { path: 'rows.ours.coldMedianMs', cited: 98.2, measured: 110.0 },
      { path: 'ratios.coldOursOverFloor', cited: 1.043, measured: 1.17 },
      { path: 'export.seconds', cited: 3.4, measured: 2.9 },
    ]);
  });

  it('compares only what both runs measured', () => {
    const run = { rows: [{ variant: 'lever:new', coldMedianMs: 500 }], export: { seconds: 3.5 } };
    assert.deepEqual(movedFigures(cited, run), []);
  });
});

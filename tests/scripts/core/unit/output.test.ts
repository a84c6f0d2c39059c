/** The export writers: CSV that survives a standard parser, formula cells neutralised, JSON that parses. */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { LoginHistoryItem } from '#contract';
import {
  EXPORT_COLUMNS,
  type Format,
  neutraliseFormula,
  writeSignIns,
} from '../../../../scripts/core/output.ts';

async function written(items: LoginHistoryItem[], format: Format): Promise<string> {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  await writeSignIns(items, format, stream);
  stream.end();
  return Buffer.concat(chunks).toString('utf8');
}

const item = (userName: string, email: string): LoginHistoryItem => ({
  sub: 's-1',
  signInId: '2026-11-01T00:00:00.000Z#r',
  signedInAt: '2026-11-01T00:00:00.000Z',
  userName,
  email,
  userPoolId: 'us-east-1_Ab',
  requestId: 'r',
  triggerSource: 'PostAuthentication_Authentication',
  dayShard: '2026-11-01#0',
  newDeviceUsed: false,
});

describe('export writers', () => {
  it('CSV: newlines, CRLF, quotes, commas and Japanese survive a round trip', async () => {
    const names = ['line1\nline2', 'crlf\r\ninside', 'say "hi", ok', '山田 太郎', 'plain'];
    const text = await written(
      names.map((n) => item(n, `${n.length}@example.com`)),
      'csv',
    );
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    assert.deepEqual(
      rows.map((r) => r.userName),
      names,
    );
    assert.deepEqual(Object.keys(rows[0] ?? {}), [...EXPORT_COLUMNS]);
    assert.equal(rows[0]?.newDeviceUsed, 'false');
    assert.equal(rows[0]?.clientId, '', 'absent fields are empty cells');
  });

  it('CSV: cells a spreadsheet would evaluate get a leading apostrophe, others are untouched', async () => {
    const risky = ['=HYPERLINK("http://x")', '+1', '-1+2', '@SUM(A1)', '\tTAB', '\rCR'];
    const rows = parse(
      await written(
        risky.map((n) => item(n, 'a@example.com')),
        'csv',
      ),
      {
        columns: true,
      },
    ) as Record<string, string>[];
    assert.deepEqual(
      rows.map((r) => r.userName),
      risky.map((n) => `'${n}`),
    );
    for (const safe of ['a=b', 'user-1', 'x@y', '']) assert.equal(neutraliseFormula(safe), safe);
  });

  it('JSON is one array (also when empty); JSON Lines one object per line', async () => {
    assert.deepEqual(JSON.parse(await written([], 'json')), []);
    const two = [item('a', 'a@x'), item('b', 'b@x')];
    assert.deepEqual(JSON.parse(await written(two, 'json')), two);
    assert.deepEqual(
      (await written(two, 'jsonl'))
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l)),
      two,
    );
    assert.equal(await written([], 'table'), '', 'an empty table prints nothing (the command says so)');
  });
});

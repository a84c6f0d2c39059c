/**
 * `npm run demo` as a user runs it: exits 0, attaches with the real command, shows the history, and ends
 * with an audit pack of its sign-ins.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../../scripts/build/template.ts';

describe('npm run demo', () => {
  it('signs three users in four times, prints their history, and names the fourth as dormant', async () => {
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'scripts/demo.ts'],
        { cwd: PROJECT_ROOT },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
      );
    });
    assert.equal(code, 0, output);
    assert.match(
      output,
      /Verified: DescribeUserPool differs from the backup only in LambdaConfig\.PostAuthentication/,
    );
    const day = output.split('▶ Login history of ')[1]?.split('▶')[0] ?? '';
    const rows = day.split('\n').filter((line) => /^\s+\d{4}-\d{2}-\d{2}T/.test(line));
    assert.equal(rows.length, 4, day);
    for (const name of ['admin@example.com', 'kiosk-07', 'demo-with-mfa@example.com']) {
      assert.ok(
        rows.some((row) => row.includes(name)),
        `${name} in the history`,
      );
    }
    const dormant = output.split('▶ Dormant accounts')[1]?.split('▶')[0] ?? '';
    assert.match(
      dormant,
      /1 of 4 users of .* have no recorded sign-in since .*\n\s+The history holds sign-ins since /,
    );
    const dormantRows = dormant.split('\n').filter((line) => /^\s+never recorded\s/.test(line));
    assert.equal(dormantRows.length, 1, dormant);
    assert.match(
      dormantRows[0] as string,
      /left-the-company@example\.com\s+left-the-company@example\.com\s+enabled/,
    );
    assert.match(output, /Demo finished in/);
    // The last step: an audit pack of the demo's own sign-ins, and where its report is.
    const report = /^Audit report: (\S+report\.html) /m.exec(output)?.[1];
    assert.ok(report && existsSync(report), output);
    const summary = JSON.parse(readFileSync(join(dirname(report), 'summary.json'), 'utf8'));
    assert.equal(summary.signIns.signIns, 4);
    assert.equal(summary.dormantAccounts.dormant, 1);
    rmSync(dirname(dirname(report)), { recursive: true, force: true });
  });
});

/** `npm run demo` as a user runs it: exits 0, attaches with the real command, and shows the history. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
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
    // Failed attempts come from CloudTrail (the local recorder): shown with the source IP, beside the sign-ins.
    const attempts = output.split('▶ Every attempt of ')[1]?.split('▶')[0] ?? '';
    const failures = attempts.split('\n').filter((line) => /^\s+\S+Z\s+failure\s/.test(line));
    assert.deepEqual(
      // CloudTrail times are whole seconds: events of one second come in eventId order, so compare as sets.
      failures.map((row) => /failure\s+(\S+)\s+(\S+)\s+(\S+)/.exec(row)?.slice(1)).sort(),
      [
        ['InitiateAuth', 'NotAuthorizedException', '127.0.0.1'],
        ['RespondToAuthChallenge', 'CodeMismatchException', '127.0.0.1'],
      ],
      attempts,
    );
    assert.ok(attempts.split('\n').filter((line) => /\ssuccess\s/.test(line)).length >= 5, attempts);
    const oneUser = output.split('▶ One user, sign-ins and failed attempts')[1]?.split('▶')[0] ?? '';
    const userRows = oneUser.split('\n').filter((line) => /^\s+\d{4}-\d{2}-\d{2}T/.test(line));
    assert.deepEqual(
      userRows.map((row) => /Z\s+(success|failure)\s+\S+\s+(\S+)\s+(\S+)\s/.exec(row)?.slice(1)).sort(),
      [
        ['failure', 'NotAuthorizedException', '127.0.0.1'],
        ['success', '-', '127.0.0.1'],
        ['success', '-', '127.0.0.1'],
      ],
      oneUser,
    );
    assert.match(output, /Demo finished in/);
  });
});

/**
 * `npm run demo -- --show-function-logs` as a user runs it: exits 0, attaches with the real command, shows
 * the history, the failed attempts and the function's one log line per sign-in, ends with an audit pack of its
 * sign-ins, and says how to keep a stack afterwards.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { entryOf } from '../../../../dev/build/commands.ts';
import { PROJECT_ROOT } from '../../../../dev/build/template.ts';

describe('npm run demo', () => {
  let code: number;
  let output: string;
  before(async () => {
    ({ code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', entryOf('demo'), '--show-function-logs'],
        { cwd: PROJECT_ROOT },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
      );
    }));
  });

  it('signs three users in four times, prints their history, and names the fourth as dormant', () => {
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
      /1 of 4 users of .* has no recorded sign-in since .*\n\s+The history holds sign-ins since /,
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
    // The last step: an audit pack of the demo's own sign-ins, and where its report is.
    const report = /^Audit report: (\S+report\.html) /m.exec(output)?.[1];
    assert.ok(report && existsSync(report), output);
    const summary = JSON.parse(readFileSync(join(dirname(report), 'summary.json'), 'utf8'));
    assert.equal(summary.signIns.signIns, 4);
    assert.equal(summary.dormantAccounts.dormant, 1);
    rmSync(dirname(dirname(report)), { recursive: true, force: true });
    assert.match(output, /eval "\$\(npm run --silent local-stack -- start\)"/, 'how to keep a stack');
    assert.match(output, /npm run local-stack -- stop/);
  });

  it('shows one function log line per recorded sign-in, with identifiers only', () => {
    const lines = output.split('\n').filter((line) => line.startsWith('  [AuthenticatedFunction] '));
    const written = lines.filter((line) => line.includes('LOGIN_HISTORY_WRITTEN'));
    assert.equal(written.length, 4, lines.join('\n'));
    // Each user in the day's history has their line (found by sub).
    const day = output.split('▶ Login history of ')[1]?.split('▶')[0] ?? '';
    const subs = new Set(
      [...day.matchAll(/\s([0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12})$/gm)].map((m) => m[1] as string),
    );
    assert.equal(subs.size, 3, day);
    for (const sub of subs)
      assert.ok(
        written.some((line) => line.includes(sub)),
        sub,
      );
    // Usernames and emails are attribute values: never in a routine log line.
    assert.doesNotMatch(lines.join('\n'), /@example\.com|kiosk-07/);
  });

  it('--help prints the usage on stdout and runs nothing; the removed --keep-data says what replaced it', async () => {
    const run = (flag: string) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', entryOf('demo'), flag],
          { cwd: PROJECT_ROOT },
          (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        );
      });
    const help = await run('--help');
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^usage: npm run demo \[-- --show-function-logs\]\n/);
    assert.doesNotMatch(help.stdout, /▶/);
    const keep = await run('--keep-data');
    assert.equal(keep.code, 2);
    assert.match(keep.stderr, /--keep-data is gone: `npm run local-stack -- start` keeps a stack/);
    assert.equal(keep.stdout, '');
  });
});

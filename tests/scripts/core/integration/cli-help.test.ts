/**
 * One `--help` for every command: usage on stdout, exit 0, nothing else (no AWS call, no provisioning; run
 * here with no region and no credentials, where doing anything would fail). And the options a mode does not
 * use, or empty values, are usage errors rather than silently ignored.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { commandEntries, entryOf } from '../../../../dev/build/commands.ts';
import { PROJECT_ROOT } from '../../../../dev/build/template.ts';

/** Every npm command run through scripts/run.mjs: the product commands, the developer tools, npm test, the bench. */
const COMMANDS = Object.keys(commandEntries());
/** The commands whose first argument is a subcommand (start, seal, stop). */
const SUBCOMMANDS = ['local-stack', 'local-dynamodb'];

/** How a command's usage begins: `usage: npm run <command>`, or `usage: npm test`. */
const usageStart = (command: string) =>
  command === 'test' ? /^usage: npm test\b/ : new RegExp(`^usage: npm run (-s |--silent )?${command}\\b`);

/** Environment with no AWS configuration at all, so that any AWS call or provisioning step would show. */
function bareEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    NODE_NO_WARNINGS: '1',
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
  };
  for (const name of ['PATH', 'HOME', 'TMPDIR']) if (process.env[name]) env[name] = process.env[name];
  return env;
}

function run(command: string, args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', entryOf(command), ...args],
      { cwd: PROJECT_ROOT, env: bareEnv(), timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('--help', () => {
  for (const command of COMMANDS) {
    it(`${command}: prints its usage on stdout and exits 0, doing nothing else`, async () => {
      const result = await run(command, ['--help']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, usageStart(command));
      assert.equal(result.stderr, '');
    });
  }

  it('wins over anything else on the line, including options that would be refused', async () => {
    const result = await run('history', ['--date', '2026-02-30', '--bogus', '-h']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^usage: npm run history/);
  });

  it('covers every command, the developer tools, npm test and the bench included', () => {
    for (const command of [
      'history',
      'audit-pack',
      'erase',
      'verify-trail',
      'local-stack',
      'validate',
      'test',
      'bench',
    ]) {
      assert.ok(COMMANDS.includes(command), command);
    }
  });
});

describe('a usage error is the error and where the usage is, for every command', () => {
  for (const command of COMMANDS) {
    it(`${command} --no-such-option`, async () => {
      const result = await run(command, ['--no-such-option']);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, '', 'nothing ran');
      const lines = result.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 2, result.stderr);
      // Our words, not Node's ("Unknown option '--no-such-option'. To specify a positional argument…"); the
      // commands that take a subcommand first read it as one.
      assert.match(
        lines[0] as string,
        SUBCOMMANDS.includes(command)
          ? /^error: unknown command "--no-such-option"$/
          : /^error: unknown option --no-such-option(: name sections .*)?$/,
      );
      assert.equal(
        lines[1],
        `Run "npm ${command === 'test' ? 'test' : `run ${command}`} -- --help" for the usage.`,
      );
    });
  }
});

describe('options that do not apply are refused, exit 2, with what is wrong', () => {
  const cases: [string, string[], RegExp][] = [
    [
      'history',
      ['--date', '2026-11-01', '--concurrency', '4', '--table-name', 't'],
      /--concurrency does not apply to --date; it goes with --inactive-since/,
    ],
    [
      'history',
      ['--inactive-since', '90d', '--limit', '5', '--user-pool-id', 'eu-west-1_abc', '--table-name', 't'],
      /--limit does not apply to --inactive-since/,
    ],
    [
      'history',
      ['--sub', 'x', '--user-pool-id', 'eu-west-1_abc', '--table-name', 't'],
      /--user-pool-id does not apply to --sub/,
    ],
    [
      'history',
      ['--date', '2026-11-01', '--stack-name', 's', '--shards', '3'],
      /--shards goes with --table-name/,
    ],
    ['history', ['--date', '2026-11-01', '--table-name', 't', '--region', ''], /--region needs a value/],
    ['history', ['--date', '2026-02-30', '--table-name', 't'], /--date "2026-02-30" is not a date/],
    ['history', ['--date', '2026-13-01', '--table-name', 't'], /--date "2026-13-01" is not a date/],
    [
      'history',
      ['--from', '2026-02-30', '--to', '2026-03-01', '--table-name', 't'],
      /--from "2026-02-30" is neither a date/,
    ],
    ['validate', ['--fast'], /^error: unknown option --fast$/m],
    ['lambda-image', ['--tag', 'x'], /^error: unknown option --tag$/m],
    ['history', ['--sub', '--date', '2026-11-01'], /^error: --sub needs a value; it is followed by --date/m],
    ['history', ['alice', '--table-name', 't'], /^error: unexpected argument "alice": every value follows/m],
    ['local-dynamodb', ['stop', '--port', '8001'], /stop takes no options/],
  ];
  for (const [command, args, message] of cases) {
    it(`${command} ${args.join(' ')}`, async () => {
      const result = await run(command, args);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
      // The error and where the usage is: two lines, not the whole usage after the error.
      const lines = result.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 2, result.stderr);
      assert.match(lines[0] as string, /^error: /);
      assert.equal(lines[1], `Run "npm run ${command} -- --help" for the usage.`);
    });
  }
});

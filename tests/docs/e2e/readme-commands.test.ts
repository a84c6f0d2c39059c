/**
 * Every command line of README.md runs on the kept local stack and exits 0 (README.ja.md shows only lines
 * README.md shows, so running these covers it too). A command line is any line of a ```bash block and any
 * `$ ` line of a ```console block, found generically: a line added to the README runs here too, and fails
 * this test unless it exits 0 (or is listed below with the reason it cannot, or with the exit code it
 * documents on purpose).
 *
 * The lines run in README order in one bash session, as a reader types them after the kept stack was started
 * (by this test, in a stack home of its own: LOGIN_HISTORY_LOCAL_STACK_DIR, free ports, stopped in `after`
 * also on failure), with the substitutions below for what only a deployed stack has (SUBSTITUTIONS, also
 * shown in docs/local-stack.md). `npm run local-stack -- stop` lines run last, so that every section finds
 * the stack running. Afterwards the checkout holds nothing new: the README's commands wrote only to TMPDIR.
 *
 * To mark a new README line that cannot run here: add it to NOT_RUN (the line exactly as the README shows
 * it, without `$ ` and without a trailing `# comment`, or a RegExp) with the reason. To mark a line that
 * fails on purpose: add it to EXPECTED_EXIT with its exit code and why.
 */
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../../dev/build/template.ts';
import { canRunKeptStack, cleanUp, NO_PROC, run, userEnv } from '../../helpers/kept-stack.ts';
import { skipBecause } from '../../helpers/skip.ts';

/** A README line's rewriting for the kept stack: on the lines `lines` matches, `from` becomes `to`. */
interface Substitution {
  /** Which lines, in words (docs/local-stack.md shows it). */
  where: string;
  lines: RegExp;
  /** What the README says, in words, and the pattern that finds it. */
  says: string;
  from: RegExp;
  to: string;
  why: string;
}

const STACK = '--stack-name cognito-login-history';
const stackName = /--stack-name cognito-login-history(?=\s|$)/;
const TABLES = '--table-name "$TABLE_NAME" --auth-events-table-name "$AUTH_EVENTS_TABLE_NAME"';
/** The kept stack's lake bucket, which --stack-name gives erase and `audit-pack --source lake` on AWS. */
const LAKE = '--lake "s3://$LAKE_BUCKET/"';

/** Applied in this order; the first rule for `--stack-name` that matches a line takes it. */
export const SUBSTITUTIONS: Substitution[] = [
  {
    where: '`npm ci && npm run demo`',
    lines: /^npm ci && /,
    says: '`npm ci && `',
    from: /^npm ci && /,
    to: '',
    why: 'the checkout under test is installed already; reinstalling would pull its packages from under the running tests',
  },
  {
    where: 'every line',
    lines: /./,
    says: '`ap-northeast-1_AbCdEf123`',
    from: /ap-northeast-1_AbCdEf123/g,
    to: '"$USER_POOL_ID"',
    why: "the README's example pool is the kept stack's pool",
  },
  {
    where: '`npm run erase`',
    lines: /^npm run erase /,
    says: '`user@example.com`',
    from: /(?<=\s)user@example\.com(?=\s|$)/g,
    to: 'left-the-company@example.com',
    why: 'a user of the kept pool; one who never signed in, so that `--yes` erases nothing the other lines read',
  },
  {
    where: '`npm run history` with `--attempts` or `--failed-attempts`',
    lines: /^npm run history -- .*--(failed-)?attempts(\s|$)/,
    says: `\`${STACK}\``,
    from: stackName,
    to: '--auth-events-table-name "$AUTH_EVENTS_TABLE_NAME"',
    why: "the stack's AuthEventsTableName output (these modes read only that table)",
  },
  {
    where: '`npm run history` for one user (`--sub`, `--username`, `--email`)',
    lines: /^npm run history -- .*--(sub|username|email) /,
    says: `\`${STACK}\``,
    from: stackName,
    to: TABLES,
    why: "the stack's TableName and AuthEventsTableName outputs (the user's failed attempts are shown too)",
  },
  {
    where: '`npm run history`, its other modes',
    lines: /^npm run history /,
    says: `\`${STACK}\``,
    from: stackName,
    to: '--table-name "$TABLE_NAME"',
    why: "the stack's TableName output",
  },
  {
    where: '`npm run attach`',
    lines: /^npm run attach /,
    says: `\`${STACK}\``,
    from: stackName,
    to: '--function-arn "$FUNCTION_ARN"',
    why: "the stack's FunctionArn output",
  },
  {
    where: '`npm run doctor`',
    lines: /^npm run doctor /,
    says: `\`${STACK}\``,
    from: stackName,
    to: `--user-pool-id "$USER_POOL_ID" ${TABLES} --function-arn "$FUNCTION_ARN" --region "$AWS_REGION"`,
    why: "the stack's pool parameter and outputs (what only the stack knows is reported as not checked); the region, which cognito-local's pool ids name `local`",
  },
  {
    where: '`npm run erase`',
    lines: /^npm run erase /,
    says: `\`${STACK}\``,
    from: stackName,
    to: `${TABLES} --salt-secret "$SALT_SECRET" ${LAKE}`,
    why: "the stack's tables, ErasureSaltSecretArn and LakeBucketName outputs (the person's rows leave the lake too); the local credentials stand for the erasure role",
  },
  {
    where: '`npm run audit-pack` with `--source lake`',
    lines: /^npm run audit-pack -- .*--source lake(\s|$)/,
    says: `\`${STACK}\``,
    from: stackName,
    to: `${TABLES} --digest-bucket "$DIGEST_BUCKET" ${LAKE}`,
    why: "the stack's tables, DigestBucketName and LakeBucketName outputs: the lake the stack's LakeFunction fills from the tables' streams",
  },
  {
    where: '`npm run audit-pack`, `npm run verify-trail`',
    lines: /^npm run (audit-pack|verify-trail) /,
    says: `\`${STACK}\``,
    from: stackName,
    to: `${TABLES} --digest-bucket "$DIGEST_BUCKET"`,
    why: "the stack's tables and DigestBucketName output (the public key is read from the bucket)",
  },
  {
    where: '`npm run export-ocsf`',
    lines: /^npm run export-ocsf /,
    says: `\`${STACK}\``,
    from: stackName,
    to: TABLES,
    why: "the stack's tables",
  },
  {
    where: '`npm run replay`',
    lines: /^npm run replay /,
    says: `\`${STACK} --since 24h\``,
    from: /--stack-name cognito-login-history --since \S+/,
    to: '--file "$LOCAL_STACK_LOG" --table-name "$TABLE_NAME"',
    why: "the functions' log lines are in the stack's log file, not in a CloudWatch Logs group",
  },
  {
    where: 'every line',
    lines: /./,
    says: '`--out <folder>`, `--verify <folder>` (a relative path)',
    from: /--(out|verify) (?!["$/~])(\S+)/g,
    to: '--$1 "$TMPDIR/$2"',
    why: "what the README writes into the current folder goes to the test's scratch folder, not the checkout",
  },
];

/** README lines that cannot run on the kept stack, each with the reason. */
export const NOT_RUN: { line: string | RegExp; why: string }[] = [
  { line: 'npm ci', why: 'reinstalls the checkout under test; every test run begins with it (.ci/run)' },
  {
    line: 'sam build',
    why: 'writes .aws-sam/ into the checkout; tests/template and the sam-local tier build the template',
  },
  { line: /^sam deploy\b/, why: 'deploys to AWS' },
  { line: 'npm test', why: 'the whole suite, this test among it' },
  {
    line: 'npm run protect -- --stack-name cognito-login-history --dry-run',
    why: "reads the deployed stack's template from CloudFormation; the kept stack puts its tables' settings in place with protect's own code at every start",
  },
];

/** README lines that fail on purpose on the kept stack, with the exit code the README documents. */
export const EXPECTED_EXIT: { line: string | RegExp; exit: number; why: string }[] = [];

/** The command lines of a README: every line of a ```bash block, the `$ ` lines of a ```console block. */
export function commandLines(file: string): string[] {
  const text = readFileSync(join(PROJECT_ROOT, file), 'utf8');
  const lines: string[] = [];
  for (const block of text.matchAll(/^```(bash|console)\n([\s\S]*?)^```/gm)) {
    for (const raw of (block[2] as string).split('\n')) {
      const line = block[1] === 'bash' ? raw : raw.startsWith('$ ') ? raw.slice(2) : '';
      const command = line.replace(/\s+#.*$/, '').trim();
      if (command && !command.startsWith('#')) lines.push(command);
    }
  }
  return lines;
}

export function substituted(line: string): string {
  let result = line;
  for (const rule of SUBSTITUTIONS) {
    if (rule.lines.test(result)) result = result.replace(rule.from, rule.to);
  }
  return result;
}

const matches = (pattern: string | RegExp, line: string) =>
  typeof pattern === 'string' ? pattern === line : pattern.test(line);

/** The substitution table as docs/local-stack.md shows it. */
export function substitutionTable(): string {
  return [
    '| lines | the README says | on the kept stack | why |',
    '| --- | --- | --- | --- |',
    ...SUBSTITUTIONS.map(
      (rule) =>
        `| ${rule.where} | ${rule.says} | ${rule.to ? `\`${rule.to.replaceAll('|', '\\|')}\`` : '(nothing)'} | ${rule.why} |`,
    ),
  ].join('\n');
}

/**
 * What a command writes into the checkout by default: a new entry at its top (an `--out` folder, a redirected
 * file) or a pool backup in backups/ (attach and detach without --backup-file) naming the kept pool. Other
 * test files running meanwhile write their own backups and .aws-sam/, never the kept pool's.
 */
function checkoutWrites(poolId: string): string[] {
  const backups = join(PROJECT_ROOT, 'backups');
  return [
    ...readdirSync(PROJECT_ROOT).filter((entry) => entry !== '.aws-sam'),
    ...(existsSync(backups) ? readdirSync(backups).filter((name) => name.includes(poolId)) : []).map(
      (name) => `backups/${name}`,
    ),
  ];
}

describe('every command line of the README on the kept local stack', () => {
  const home = mkdtempSync(join(tmpdir(), 'readme-commands-'));
  after(() => cleanUp(home));

  it('README.ja.md shows only lines README.md shows, so running these runs its lines too', () => {
    const english = new Set(commandLines('README.md'));
    assert.deepEqual(
      commandLines('README.ja.md').filter((line) => !english.has(line)),
      [],
    );
  });

  it('every entry of the lists is a line the README has (none stays behind when a line goes)', () => {
    const lines = commandLines('README.md');
    for (const { line } of [...NOT_RUN, ...EXPECTED_EXIT]) {
      assert.ok(
        lines.some((l) => matches(line, l)),
        `${line} is listed but no README line matches it`,
      );
    }
  });

  it('docs/local-stack.md shows the substitutions this test makes', () => {
    const docs = readFileSync(join(PROJECT_ROOT, 'docs', 'local-stack.md'), 'utf8');
    // biome formats the table's columns; compare cell by cell.
    const cells = (table: string) =>
      table
        .split('\n')
        .filter((row) => row.startsWith('|') && !/^\|[\s|:-]+\|$/.test(row))
        .map((row) =>
          row
            .slice(1, -1)
            .split(/(?<!\\)\|/)
            .map((cell) => cell.trim()),
        );
    const shown = /<!-- readme-substitutions:start -->\n([\s\S]*?)\n<!-- readme-substitutions:end -->/.exec(
      docs,
    )?.[1];
    assert.deepEqual(cells(shown ?? ''), cells(substitutionTable()), `expected:\n${substitutionTable()}`);
  });

  it('runs each line with exit 0 (or its documented exit code), and leaves the checkout as it was', async (t) => {
    if (!canRunKeptStack()) return void skipBecause(t, NO_PROC);
    const all = commandLines('README.md');
    const toRun = all.filter((line) => !NOT_RUN.some(({ line: l }) => matches(l, line)));
    // The stack's own stop runs last: the sections after the kept-stack block use the stack too.
    const isStop = (line: string) => /^npm run local-stack -- stop$/.test(line);
    const ordered = [...toRun.filter((l) => !isStop(l)), ...toRun.filter(isStop)];
    const scratch = join(home, 'tmp');
    const out = join(home, 'out');
    mkdirSync(scratch);
    mkdirSync(out);
    const script = [
      'eval "$(npm run --silent local-stack -- start)"',
      ...ordered.map(
        (line, i) =>
          `SECONDS_AT=$(date +%s%N)\n{ ${substituted(line)}\n} >"${out}/${i}.out" 2>"${out}/${i}.err" </dev/null\n` +
          `echo "$? $(( ($(date +%s%N) - SECONDS_AT) / 1000000 ))" >"${out}/${i}.rc"`,
      ),
      `echo "$USER_POOL_ID" >"${home}/pool-id"`,
    ].join('\n');
    writeFileSync(join(home, 'readme.sh'), `${script}\n`);
    const before = new Set(checkoutWrites('local_'));
    const started = performance.now();
    const result = await run(
      '/bin/bash',
      [join(home, 'readme.sh')],
      { ...userEnv(home), TMPDIR: scratch },
      900_000,
    );
    const seconds = ((performance.now() - started) / 1000).toFixed(0);

    const problems: string[] = [];
    const timings: string[] = [];
    ordered.forEach((line, i) => {
      let status: string;
      try {
        status = readFileSync(join(out, `${i}.rc`), 'utf8').trim();
      } catch {
        problems.push(`did not run (the session ended before it): ${line}`);
        return;
      }
      const [code, ms] = status.split(' ').map(Number);
      timings.push(`${((ms ?? 0) / 1000).toFixed(1)} s  ${line}`);
      const expected = EXPECTED_EXIT.find(({ line: l }) => matches(l, line))?.exit ?? 0;
      if (code !== expected) {
        const tail = (name: string) =>
          readFileSync(join(out, `${i}.${name}`), 'utf8')
            .trim()
            .split('\n')
            .slice(-6)
            .join('\n    ');
        problems.push(
          `exit ${code} (expected ${expected}): ${line}\n  ran: ${substituted(line)}\n  stdout: ${tail('out')}\n  stderr: ${tail('err')}`,
        );
      }
    });
    t.diagnostic(`${ordered.length} lines in ${seconds} s:\n${timings.join('\n')}`);
    assert.deepEqual(problems, [], `bash exit ${result.code}; ${result.stderr.slice(-2000)}`);
    const poolId = readFileSync(join(home, 'pool-id'), 'utf8').trim();
    const added = checkoutWrites(poolId).filter((entry) => !before.has(entry));
    assert.deepEqual(added, [], 'the README commands left these in the checkout');
    rmSync(out, { recursive: true, force: true });
  });
});

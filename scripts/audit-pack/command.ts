/**
 * `npm run audit-pack`'s usage and run: the options checked, the tables resolved, the pack written (or, with
 * --verify, a pack rechecked).
 */
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { callerIdentity } from '../account/protection.ts';
import {
  CommandError,
  fileErrorSentence,
  parseOptions,
  positiveInteger,
  terminalProgress,
  translateNotFound,
  UsageError,
} from '../core/cli.ts';
import { clientConfig } from '../core/clients.ts';
import { counted } from '../core/generic.ts';
import { prepareOutFolder } from '../core/output.ts';
import { period } from '../core/period.ts';
import { checkWhere, OUTPUT, resolveWhere } from '../core/stack.ts';
import { listPoolUsers } from '../records/dormant-accounts.ts';
import { createReader } from '../records/sign-ins.ts';
import type { IntegritySource } from './integrity.ts';
import { LAKE_FILES, USERS_FILE_COLUMNS } from './lake-records.ts';
import { checkSource, type OpenedLake, openLake, SOURCE_OPTIONS } from './lake-source.ts';
import { MANIFEST, toolVersion, verifyPack } from './manifest.ts';
import { type PackRecords, writeAuditPack } from './pack.ts';
import { LANGS, type Lang } from './report/report.ts';
import { FILES } from './summary.ts';
import { tableRecords } from './table-records.ts';

/** The checkout (or installed copy) this command runs from: its package.json and git commit identify the tool. */
const TOOL_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const USAGE = `usage: npm run audit-pack -- --from <date> --to <date> --user-pool-id <id> <where> --out <folder>
                          [--lang en|ja] [--inactive-days N] [--concurrency N] [--region <region>]
                          [--source lake [--lake <s3 url> | --lake-dir <folder>] [--engine duckdb|athena]
                           [--users <file.parquet>] [--records parquet|csv]]
       npm run audit-pack -- --verify <folder>

Writes a new folder for the auditor: ${Object.values(FILES).join(', ')}, ${MANIFEST}.
  --from, --to          the period: dates (whole UTC days, both included) or ISO times
  --out <folder>        a new or empty folder
  --lang en|ja          the report's language (default en)
  --inactive-days N     the dormant-account review: no sign-in in the N days before --to, or before the
                        pack's making when --to is later (default 90)
  --concurrency N       parallel queries of the dormant-account review (default 16)
where (exactly one):
  --stack-name <stack>  reads the tables, shards, retention and alarm topic from the stack
  --table-name <table> [--shards N] [--auth-events-table-name <table>] [--digest-bucket <bucket>]
                        without the stack: name the authentication-events table if it records them, and
                        the digest bucket if the stack seals its records (the pack then holds the period's
                        digests, the public key and verify-trail's verdict)
--source lake           the same questions answered from the lake (docs/security-lake.md), not the tables:
  --lake <s3 url>       the lake's bucket (default with --stack-name: the stack's), copied locally for DuckDB
  --lake-dir <folder>   a lake already on disk (e.g. npm run export-ocsf -- --format parquet)
  --engine athena       runs the same SQL on Athena in the stack's workgroup (needs --stack-name)
  --users <file>        the pool's users as Parquet (${Object.keys(USERS_FILE_COLUMNS).join(', ')}) instead of
                        listing the pool (ListUsers returns 60 users a call)
  --records csv         the records as ${FILES.signIns} and ${FILES.authEvents} (default: ${LAKE_FILES.signIns},
                        ${LAKE_FILES.authEvents}, the same columns)
--verify <folder>       rechecks every file against ${MANIFEST}: exit 0 when intact, 1 naming each
                        changed, missing or extra file`;

/** Progress on stderr when it is a terminal: one line per stage, redrawn in place. */
function stageProgress() {
  let stage = '';
  let current = terminalProgress('');
  return {
    update(name: string, done: number, total?: number) {
      if (name !== stage) {
        current.end();
        stage = name;
        current = terminalProgress(name);
      }
      current.update(done, total);
    },
    end: () => current.end(),
  };
}

async function verify(folder: string): Promise<number> {
  let result: Awaited<ReturnType<typeof verifyPack>>;
  try {
    result = await verifyPack(folder);
  } catch (error) {
    // The folder, then its manifest: say which is missing, in words (not ENOENT).
    const manifest = join(folder, MANIFEST);
    if (!existsSync(folder)) throw new CommandError(`--verify ${folder} does not exist`);
    if (!existsSync(manifest)) {
      throw new CommandError(`${folder} holds no ${MANIFEST}: it is not an audit pack's folder`);
    }
    if (error instanceof SyntaxError) throw new CommandError(`${manifest} is not valid JSON`);
    throw new CommandError(
      fileErrorSentence(error) ?? `cannot verify ${folder}: ${(error as Error).message}`,
    );
  }
  if (result.intact) {
    console.log(`${folder}: intact (every file matches ${MANIFEST})`);
    return 0;
  }
  for (const name of result.changed) console.log(`changed: ${name}`);
  for (const name of result.missing) console.log(`missing: ${name}`);
  for (const name of result.extra) console.log(`extra: ${name} (not in ${MANIFEST})`);
  console.log(`${folder}: NOT intact`);
  return 1;
}

/** The command, in process: resolves to its exit code (runCli maps thrown errors to 1 and 2). */
export async function run(argv: readonly string[]): Promise<number> {
  const values = parseOptions(argv, {
    from: { type: 'string' },
    to: { type: 'string' },
    'user-pool-id': { type: 'string' },
    'table-name': { type: 'string' },
    'stack-name': { type: 'string' },
    'auth-events-table-name': { type: 'string' },
    'digest-bucket': { type: 'string' },
    shards: { type: 'string' },
    out: { type: 'string' },
    lang: { type: 'string' },
    'inactive-days': { type: 'string' },
    concurrency: { type: 'string' },
    region: { type: 'string' },
    verify: { type: 'string' },
    ...SOURCE_OPTIONS,
  });
  if (values.verify !== undefined) {
    const others = Object.keys(values).filter((k) => k !== 'verify');
    if (others.length > 0)
      throw new UsageError(`--verify takes no other option (got --${others.join(', --')})`);
    return verify(values.verify);
  }
  for (const name of ['from', 'to', 'user-pool-id', 'out'] as const) {
    if (values[name] === undefined) throw new UsageError(`--${name} is required`);
  }
  checkWhere(values, ['shards', 'auth-events-table-name']);
  if (values['stack-name'] && values['digest-bucket']) {
    throw new UsageError('--digest-bucket goes with --table-name; --stack-name reads it from the stack');
  }
  const source = checkSource(values);
  const lang = (values.lang ?? 'en') as Lang;
  if (!LANGS.includes(lang)) throw new UsageError(`--lang must be one of ${LANGS.join(', ')}`);
  const inactiveDays = positiveInteger('inactive-days', values['inactive-days'], 99_999) ?? 90;
  const concurrency = positiveInteger('concurrency', values.concurrency, 256) ?? 16;
  const bounds = period(String(values.from), String(values.to));
  const out = resolve(String(values.out));
  const userPoolId = String(values['user-pool-id']);
  const region = values.region;

  const where = await resolveWhere(values, region);
  // The lake needs no byDay index: its files are by day already.
  if (source === 'table' && where.dayIndex === 'disabled') {
    throw new CommandError(
      `stack ${values['stack-name']} has no byDay index (DayIndex=disabled); the period's sign-ins need it. Redeploy with DayIndex=enabled: existing items are indexed too.`,
    );
  }
  const { table, shards, authEvents, retentionDays } = where;
  const digestBucket = where.stack
    ? where.stack.optionalOutput(OUTPUT.digestBucketName)
    : values['digest-bucket'];
  const reader = createReader(region);
  const digests: IntegritySource = digestBucket
    ? {
        bucket: digestBucket,
        reader,
        shards,
        ...(where.stack ? { signingKeyArn: where.stack.output(OUTPUT.signingKeyArn) } : {}),
      }
    : { absent: where.stack ? 'stack-without-integrity' : 'not-named' };
  // For the lake: `where` is shadowed below by the folder the last lines show.
  const located = where;

  const undoFolder = prepareOutFolder(out);
  const cognito = new CognitoIdentityProviderClient(clientConfig(region));
  const ddb = new DynamoDBClient(clientConfig(region));
  const progress = stageProgress();
  let lake: OpenedLake | undefined;
  try {
    const users = async () => {
      try {
        progress.update('reading the pool users', 0);
        return await listPoolUsers(cognito, userPoolId);
      } catch (error) {
        throw translateNotFound(error, `user pool ${userPoolId}`, '--user-pool-id');
      }
    };
    let records: PackRecords;
    if (source === 'lake') {
      lake = await openLake(values, located, region, bounds, users, (stage, done) =>
        progress.update(stage, done),
      );
      records = lake.records;
    } else {
      records = tableRecords({ reader, table, shards, users: await users(), concurrency });
    }
    const parameters = Object.fromEntries(
      Object.entries({ ...values, out: values.out, lang, 'inactive-days': inactiveDays }).filter(
        ([, v]) => v !== undefined,
      ),
    );
    const { summary, manifestSha256 } = await writeAuditPack({
      out,
      from: bounds.from,
      to: bounds.to,
      userPoolId,
      table,
      authEvents,
      integrity: digests,
      inactiveDays,
      lang,
      region,
      stackName: values['stack-name'],
      retentionDays,
      parameters,
      ddb,
      records,
      tool: toolVersion(TOOL_ROOT),
      identity: await callerIdentity(region),
      progress: (stage, done, total) => progress.update(stage, done, total),
    }).catch((error: Error) => {
      if (/specified index/i.test(error.message)) {
        throw new CommandError(
          `table ${table} has no byDay index (DayIndex=disabled); the period's sign-ins need it`,
        );
      }
      throw translateNotFound(error, `table ${table}`, '--table-name / --stack-name');
    });
    progress.end();
    const where = relative(process.cwd(), out) || '.';
    const auth = summary.authEvents;
    console.log(`Audit pack written to ${where}/`);
    console.log(
      `  ${counted(summary.signIns.signIns, 'sign-in')} by ${counted(summary.signIns.users, 'user')} over ${counted(summary.period.days, 'day')}; ` +
        (auth.recorded
          ? `${counted(auth.events, 'authentication event')} (${auth.failures} failed)`
          : 'no authentication events (not recorded)') +
        `; ${summary.dormantAccounts.dormant} of ${counted(summary.dormantAccounts.users, 'account')} dormant`,
    );
    const sealed = summary.integrity;
    console.log(
      sealed.recorded
        ? `  integrity: ${counted(sealed.intervals, 'interval')} sealed, ${sealed.verifiedIntervals} verified; ` +
            `${sealed.altered} altered, ${sealed.erased} erased, ${sealed.replayed} replayed; ` +
            (sealed.intact ? 'intact' : `NOT intact (${sealed.unexplained} unexplained: ${FILES.integrity})`)
        : '  integrity: no digests (the stack does not seal its records, or no --digest-bucket was named)',
    );
    console.log(`  report: ${where}/${FILES.report}`);
    console.log(`  ${MANIFEST} SHA-256: ${manifestSha256} (keep it apart from the pack)`);
    console.log(`  verify: npm run audit-pack -- --verify ${where}`);
    return 0;
  } catch (error) {
    undoFolder();
    throw error;
  } finally {
    progress.end();
    cognito.destroy();
    ddb.destroy();
    reader.destroy();
    await lake?.close();
  }
}

/**
 * `npm run erase`'s usage and run: who and where read and checked, the erasure role assumed, the plan shown,
 * then (with --yes) every item deleted and the erasure record written.
 */
import { isIP } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { eventDayOf } from '../../authenticated/src/lake-layout.ts';
import { callerArn, credentialsOf } from '../account/role-session.ts';
import {
  CommandError,
  namingTables,
  parseOptions,
  requireOne,
  terminalProgress,
  UsageError,
} from '../core/cli.ts';
import { type AwsCredentialIdentity, BULK_READ_RETRIES, clientConfig } from '../core/clients.ts';
import { counted } from '../core/generic.ts';
import { OUTPUT, readStackIn } from '../core/stack.ts';
import { eraseFromLake } from '../lake/erase-rows.ts';
import { type S3Location, s3Location } from '../lake/s3-lake.ts';
import { type ErasureRecord, sourceIpHash, subHash } from '../records/erasure-record.ts';
import { lookUpSub } from '../user-pool/user-lookup.ts';
import { type ErasurePlan, type ErasureTarget, erase, type KindSummary, planErasure } from './erasure.ts';
import { readSalt } from './salt.ts';

export const USAGE = `usage: npm run erase -- <who> <where> [--dry-run] [--yes] [--region <region>]

Deletes every item of one user - sign-ins, and authentication events when the stack records them - and
writes an erasure record (a salted hash of the sub, when, by whom, how many items). It first prints what it
would delete and does nothing more without --yes. Run it again after an interruption: it resumes. Run
it again after a completed erasure with the lake: it removes the rows that reached the lake since.
With --source-ip, it deletes the authentication events of that address that name no user (attempts for an
unknown user name, requests Cognito logged without a sub); an event that names a user is that user's.

who (exactly one):
  --sub <sub> | --username <name> --user-pool-id <id> | --email <email> --user-pool-id <id>
  | --source-ip <address>
where (exactly one):
  --stack-name <stack>         the tables, the erasure role, the salt secret and the lake from the stack's outputs
  --table-name <table> --salt-secret <secret id or ARN> [--auth-events-table-name <table>]
      [--role-arn <erasure role ARN>]   without --role-arn, your current credentials must be the erasure role's
      [--lake <s3 url>]                 the lake's copy (Lake=enabled), whose rows of the person go too

--dry-run   print what would be deleted, change nothing
--yes       erase (required to change anything)`;

/** How long a new record may take to reach the lake: the stream's batching window, and a retry. */
const LAKE_DELAY_MS = 10 * 60_000;

/** DynamoDB Streams keep a record 24 hours: nothing older than that before an erasure can still reach the lake. */
const STREAM_RETENTION_MS = 24 * 3_600_000;

/**
 * The UTC days (YYYYMMDD) where a row still on its way at an erasure can land: from the erasure's request
 * minus the stream's retention through today.
 */
function lateLakeDays(requestedAt: string, now: number): string[] {
  const days: string[] = [];
  const start = new Date(Date.parse(requestedAt) - STREAM_RETENTION_MS);
  for (let day = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()); day <= now; ) {
    days.push(eventDayOf(day));
    day += 86_400_000;
  }
  return days;
}

function range(kind: KindSummary): string {
  return kind.count === 0 ? '' : `  ${kind.first} … ${kind.last}`;
}

/** Why no auth events are looked at: the stack records none, or no auth-events table was named. */
type AuthEventsUnchecked = 'stack-records-none' | 'not-named';

const UNCHECKED: Record<AuthEventsUnchecked, string> = {
  'stack-records-none': 'the stack records none',
  'not-named': 'not checked: no --auth-events-table-name',
};

function describePlan(plan: ErasurePlan, target: ErasureTarget, unchecked: AuthEventsUnchecked): string {
  const bySub = 'sub' in target.subject;
  const lines = [
    bySub
      ? `Items of sub ${(target.subject as { sub: string }).sub}:`
      : `Authentication events of ${(target.subject as { sourceIp: string }).sourceIp} that name no user:`,
  ];
  if (bySub) {
    lines.push(
      `  sign-ins     ${String(plan.signIns.count).padStart(7)}${range(plan.signIns)}  (${target.signInTable})`,
    );
  }
  if (plan.authEvents) {
    lines.push(
      `  auth events  ${String(plan.authEvents.count).padStart(7)}${range(plan.authEvents)}  (${target.authEventsTable})`,
    );
  } else {
    lines.push(`  auth events        -  (${UNCHECKED[unchecked]})`);
  }
  if (plan.authEvents?.namingAUser) {
    lines.push(
      `  kept: ${counted(plan.authEvents.namingAUser, 'event')} of this address naming a user, erased only with that user's --sub`,
    );
  }
  if (plan.latest?.status === 'started') {
    lines.push(
      `An erasure of this ${bySub ? 'user' : 'address'} started at ${plan.latest.requestedAt} and was interrupted: erasing resumes it.`,
    );
  } else if (plan.latest?.status === 'completed') {
    lines.push(
      `This ${bySub ? 'user' : 'address'} was erased before (completed ${plan.latest.completedAt}).`,
    );
  }
  return lines.join('\n');
}

/**
 * A rerun after a completed erasure (`--lake`): the subject's rows that reached the lake since, removed from the
 * days a record still on its way at the erasure can fall on.
 */
async function removeLateLakeRows(
  s3: S3Client,
  lake: S3Location,
  subject: ErasureTarget['subject'],
  erasure: ErasureRecord,
  mode: { dryRun: boolean; yes: boolean },
): Promise<void> {
  const days = lateLakeDays(erasure.requestedAt, Date.now());
  const whose = 'sub' in subject ? "this person's rows" : "this address's events that name no user";
  const where = `the lake (${lake.bucket}), days ${days[0]} … ${days.at(-1)}`;
  if (mode.dryRun) {
    console.log(`Dry run: would remove ${whose} from ${where}; nothing was changed.`);
    return;
  }
  if (!mode.yes) {
    throw new CommandError(
      `refusing to erase without --yes (nothing was changed); add --yes to remove ${whose} from ${where}`,
    );
  }
  const rows = await eraseFromLake(s3, lake, subject, {
    'sign-ins': 'sub' in subject ? days : [],
    'auth-events': days,
  });
  const removed = rows['sign-ins'] + rows['auth-events'];
  console.log(
    removed === 0
      ? `The lake holds none of ${whose}.`
      : `Removed ${counted(removed, 'row')} that reached the lake after the erasure of ${erasure.completedAt ?? erasure.requestedAt}.`,
  );
}

/** The command, in process: resolves to its exit code (runCli maps thrown errors to 1 and 2). */
export async function run(argv: readonly string[]): Promise<number> {
  const values = parseOptions(argv, {
    sub: { type: 'string' },
    'source-ip': { type: 'string' },
    username: { type: 'string' },
    email: { type: 'string' },
    'user-pool-id': { type: 'string' },
    'table-name': { type: 'string' },
    'auth-events-table-name': { type: 'string' },
    'salt-secret': { type: 'string' },
    'role-arn': { type: 'string' },
    lake: { type: 'string' },
    'stack-name': { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    yes: { type: 'boolean', default: false },
    region: { type: 'string' },
  });
  const by = requireOne(values, ['sub', 'username', 'email', 'source-ip']);
  requireOne(values, ['table-name', 'stack-name']);
  if ((by === 'username' || by === 'email') && !values['user-pool-id']) {
    throw new UsageError(`--${by} needs --user-pool-id`);
  }
  const sourceIp = values['source-ip'];
  if (sourceIp !== undefined && isIP(sourceIp) === 0) {
    throw new UsageError(`--source-ip "${sourceIp}" is not an IPv4 or IPv6 address`);
  }
  if (values.sub !== undefined && !/^[\w-]{1,128}$/.test(values.sub)) {
    throw new UsageError(`--sub "${values.sub}" is not a Cognito sub (letters, digits, "-" and "_")`);
  }
  if (values['table-name'] && !values['salt-secret']) {
    throw new UsageError('--table-name needs --salt-secret (the stack output ErasureSaltSecretArn)');
  }
  if (values['stack-name'] && (values['salt-secret'] || values['auth-events-table-name'] || values.lake)) {
    throw new UsageError(
      '--stack-name supplies the tables, the salt secret and the lake: drop the other names',
    );
  }
  let lake = values.lake === undefined ? undefined : s3Location('lake', values.lake);
  const region = values.region;

  let signInTable = values['table-name'] as string;
  let authEventsTable = values['auth-events-table-name'];
  let saltSecret = values['salt-secret'] as string;
  let roleArn = values['role-arn'];
  let unchecked: AuthEventsUnchecked = 'not-named';
  if (values['stack-name']) {
    const stack = await readStackIn(region, values['stack-name']);
    signInTable = stack.output(OUTPUT.tableName);
    authEventsTable = stack.optionalOutput(OUTPUT.authEventsTableName);
    unchecked = 'stack-records-none';
    saltSecret = stack.output(OUTPUT.erasureSaltSecretArn);
    roleArn ??= stack.output(OUTPUT.erasureRoleArn);
    const bucket = stack.optionalOutput(OUTPUT.lakeBucketName);
    if (bucket) lake = s3Location('lake', `s3://${bucket}/`);
  }
  if (sourceIp !== undefined && !authEventsTable) {
    throw new CommandError(
      'no auth-events table: only authentication events are kept by source address (the stack has AuthEvents=disabled, or pass --auth-events-table-name)',
    );
  }
  const sub =
    sourceIp !== undefined
      ? undefined
      : by === 'sub'
        ? (values.sub as string)
        : await lookUpSub(values, region);

  // Who asks is the identity that runs this command, before it becomes the erasure role.
  const requestedBy = await callerArn(region);
  if (!requestedBy)
    console.error('warning: STS is not reachable; the erasure record will say "unknown" for who ran it');
  const credentials: AwsCredentialIdentity | undefined = roleArn
    ? await credentialsOf(region, roleArn, 'erase', requestedBy)
    : undefined;
  const salt = await readSalt(region, credentials, saltSecret);
  const target: ErasureTarget =
    sub === undefined
      ? {
          signInTable,
          authEventsTable,
          subject: { sourceIp: sourceIp as string },
          subHash: sourceIpHash(salt, sourceIp as string),
        }
      : { signInTable, authEventsTable, subject: { sub }, subHash: subHash(salt, sub) };

  const doc = DynamoDBDocumentClient.from(
    namingTables(new DynamoDBClient(clientConfig(region, { ...BULK_READ_RETRIES, credentials }))),
  );
  let planned = false;
  const s3 = lake ? new S3Client(clientConfig(region, { credentials })) : undefined;
  try {
    const plan = await planErasure(doc, target);
    planned = true;
    console.log(describePlan(plan, target, unchecked));
    const pending = plan.signIns.count + (plan.authEvents?.count ?? 0);
    if (pending === 0 && plan.latest?.status !== 'started') {
      const erasure = plan.latest;
      if (!(erasure?.status === 'completed' && lake && s3)) {
        console.log('Nothing to erase.');
        return 0;
      }
      // The tables are done, but rows on their way at the erasure may have reached the lake since.
      console.log('Nothing to erase in the tables.');
      await removeLateLakeRows(s3, lake, target.subject, erasure, {
        dryRun: values['dry-run'] as boolean,
        yes: values.yes as boolean,
      });
      return 0;
    }
    if (values['dry-run']) {
      console.log('Dry run: nothing was deleted.');
      return 0;
    }
    if (!values.yes) {
      throw new CommandError(
        'refusing to erase without --yes (nothing was deleted); add --yes to erase the items above',
      );
    }
    const progress = terminalProgress('items deleted');
    const outcome = await erase(doc, target, plan, {
      requestedBy: requestedBy ?? 'unknown',
      onProgress: (done, total) => progress.update(done, total),
      ...(lake && s3
        ? {
            eraseLake: async (days: { signIns: string[]; authEvents: string[] }) => {
              const rows = await eraseFromLake(s3, lake, target.subject, {
                'sign-ins': days.signIns,
                'auth-events': days.authEvents,
              });
              return { signIns: rows['sign-ins'], authEvents: rows['auth-events'] };
            },
          }
        : {}),
    });
    progress.end();
    if (outcome.kind === 'completed') {
      const { itemsErased, signInId } = outcome.record;
      const signIns = counted(itemsErased?.signIns ?? 0, 'sign-in');
      const authEvents = counted(itemsErased?.authEvents ?? 0, 'auth event');
      const resumed = outcome.resumed ? ' (resumed)' : '';
      console.log(
        sub === undefined
          ? `Erased ${authEvents} of ${sourceIp} that named no user${resumed}.`
          : target.authEventsTable
            ? `Erased ${signIns} and ${authEvents}${resumed}.`
            : `Erased ${signIns}${resumed}; auth events: ${UNCHECKED[unchecked]}.`,
      );
      const lakeRows = outcome.record.lakeRowsErased;
      if (lakeRows) {
        console.log(
          `Removed ${lakeRows.signIns + lakeRows.authEvents} rows from the lake (${lake?.bucket}).`,
        );
        // Records still on their way (the stream is copied every few minutes) reach the lake after this run.
        if ((plan.signIns.last ?? '') > new Date(Date.now() - LAKE_DELAY_MS).toISOString()) {
          console.log(
            `This person's latest sign-in is recent: run this again in ${LAKE_DELAY_MS / 60_000} minutes to remove rows still on their way to the lake.`,
          );
        }
      }
      console.log(`Erasure record: sub "#erasures", signInId "${signInId}" in ${signInTable}.`);
    }
    return 0;
  } catch (error) {
    // namingTables says which table: the sign-in table or the auth-events table.
    const { name, resource } = error as Error & { resource?: string };
    if (name === 'ResourceNotFoundException') {
      throw new CommandError(
        `${resource ?? 'a table'} does not exist (check ${values['stack-name'] ? '--stack-name' : '--table-name / --auth-events-table-name'} and --region)${planned ? '' : '; nothing was deleted'}`,
      );
    }
    throw error;
  } finally {
    doc.destroy();
    s3?.destroy();
  }
}

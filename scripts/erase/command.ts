/**
 * `npm run erase`'s usage and run: who and where read and checked, the erasure role assumed, the plan shown,
 * then (with --yes) every item deleted and the erasure record written.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  type AwsCredentialIdentity,
  callerArn,
  clientConfig,
  credentialsOf,
} from '../account/role-session.ts';
import { CommandError, parseOptions, requireOne, terminalProgress, UsageError } from '../core/cli.ts';
import { OUTPUT, readStackIn } from '../core/stack.ts';
import { eraseFromLake } from '../lake/erase-rows.ts';
import { s3Location } from '../lake/s3-lake.ts';
import { subHash } from '../records/erasure-record.ts';
import { READ_MAX_ATTEMPTS } from '../records/sign-ins.ts';
import { lookUpSub } from '../user-pool/user-lookup.ts';
import { type ErasurePlan, type ErasureTarget, erase, type KindSummary, planErasure } from './erasure.ts';
import { readSalt } from './salt.ts';

export const USAGE = `usage: npm run erase -- <who> <where> [--dry-run] [--yes] [--region <region>]

Deletes every item of one user - sign-ins, and authentication events when the stack records them - and
writes an erasure record (a salted hash of the sub, when, by whom, how many items). It first prints what it
would delete and does nothing more without --yes. Run it again after an interruption: it resumes.

who (exactly one):
  --sub <sub> | --username <name> --user-pool-id <id> | --email <email> --user-pool-id <id>
where (exactly one):
  --stack-name <stack>         the tables, the erasure role, the salt secret and the lake from the stack's outputs
  --table-name <table> --salt-secret <secret id or ARN> [--auth-events-table-name <table>]
      [--role-arn <erasure role ARN>]   without --role-arn, your current credentials must be the erasure role's
      [--lake <s3 url>]                 the lake's copy (Lake=enabled), whose rows of the person go too

--dry-run   print what would be deleted, change nothing
--yes       erase (required to change anything)`;

/** How long a new record may take to reach the lake: the stream's batching window, and a retry. */
const LAKE_DELAY_MS = 10 * 60_000;

function range(kind: KindSummary): string {
  return kind.count === 0 ? '' : `  ${kind.first} … ${kind.last}`;
}

function describePlan(plan: ErasurePlan, target: ErasureTarget): string {
  const lines = [`Items of sub ${target.sub}:`];
  lines.push(
    `  sign-ins     ${String(plan.signIns.count).padStart(7)}${range(plan.signIns)}  (${target.signInTable})`,
  );
  if (plan.authEvents) {
    lines.push(
      `  auth events  ${String(plan.authEvents.count).padStart(7)}${range(plan.authEvents)}  (${target.authEventsTable})`,
    );
  }
  if (plan.latest?.status === 'started') {
    lines.push(
      `An erasure of this user started at ${plan.latest.requestedAt} and was interrupted: erasing resumes it.`,
    );
  } else if (plan.latest?.status === 'completed') {
    lines.push(`This user was erased before (completed ${plan.latest.completedAt}).`);
  }
  return lines.join('\n');
}

/** The command, in process: resolves to its exit code (runCli maps thrown errors to 1 and 2). */
export async function run(argv: readonly string[]): Promise<number> {
  const values = parseOptions(argv, {
    sub: { type: 'string' },
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
  const by = requireOne(values, ['sub', 'username', 'email']);
  requireOne(values, ['table-name', 'stack-name']);
  if (by !== 'sub' && !values['user-pool-id']) throw new UsageError(`--${by} needs --user-pool-id`);
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
  if (values['stack-name']) {
    const stack = await readStackIn(region, values['stack-name']);
    signInTable = stack.output(OUTPUT.tableName);
    authEventsTable = stack.optionalOutput(OUTPUT.authEventsTableName);
    saltSecret = stack.output(OUTPUT.erasureSaltSecretArn);
    roleArn ??= stack.output(OUTPUT.erasureRoleArn);
    const bucket = stack.optionalOutput(OUTPUT.lakeBucketName);
    if (bucket) lake = s3Location('lake', `s3://${bucket}/`);
  }
  const sub = by === 'sub' ? (values.sub as string) : await lookUpSub(values, region);

  // Who asks is the identity that runs this command, before it becomes the erasure role.
  const requestedBy = await callerArn(region);
  if (!requestedBy)
    console.error('warning: STS is not reachable; the erasure record will say "unknown" for who ran it');
  const credentials: AwsCredentialIdentity | undefined = roleArn
    ? await credentialsOf(region, roleArn, 'erase', requestedBy)
    : undefined;
  const salt = await readSalt(region, credentials, saltSecret);
  const target: ErasureTarget = { signInTable, authEventsTable, sub, subHash: subHash(salt, sub) };

  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      ...(region ? { region } : {}),
      ...(credentials ? { credentials } : {}),
      maxAttempts: READ_MAX_ATTEMPTS,
      retryMode: 'adaptive',
    }),
  );
  const s3 = lake ? new S3Client(clientConfig(region, credentials)) : undefined;
  try {
    const plan = await planErasure(doc, target);
    console.log(describePlan(plan, target));
    const pending = plan.signIns.count + (plan.authEvents?.count ?? 0);
    if (pending === 0 && plan.latest?.status !== 'started') {
      console.log('Nothing to erase.');
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
              const rows = await eraseFromLake(s3, lake, sub, {
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
      console.log(
        `Erased ${itemsErased?.signIns ?? 0} sign-ins and ${itemsErased?.authEvents ?? 0} auth events${outcome.resumed ? ' (resumed)' : ''}.`,
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
    if ((error as Error).name === 'ResourceNotFoundException') {
      throw new CommandError(`${(error as Error).message} (check --table-name / --stack-name and --region)`);
    }
    throw error;
  } finally {
    doc.destroy();
    s3?.destroy();
  }
}

/**
 * The kept stack's trail: the digest bucket (Object Lock in compliance mode, retention as the template
 * declares it) and the signing key (ECC_NIST_P256, SIGN_VERIFY) on moto, and sealing with the stack's own
 * sealer code (authenticated/src/seal-intervals.ts through sealLocally).
 *
 * moto's KMS keeps key material in memory only, and a replayed CreateKey makes a new key, so the bucket and
 * the key are new at every start, and the start seals everything again from the UTC day of the first record.
 * The chain therefore proves the records from this start on; on AWS the key and bucket outlive everything.
 * Sealing here differs from the stack's schedule in two ways (docs/local-stack.md): the grid is one UTC day
 * (each seal covers the time since the last one, cut at midnight), so that resealing a month of kept history
 * takes a second, not minutes of moto queries; and there is no grace period, because a seal first waits until
 * every sign-in and auth event begun before it is written (LocalStack.settled).
 */
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { IntervalSource } from '../../authenticated/src/interval-items.ts';
import { counted } from '../../scripts/core/generic.ts';
import { parameterDefaults, resolvedProperty } from '../build/template.ts';
import { createLocalDigests, sealLocally } from './digests-local.ts';
import type { KeptPart, KeptPartContext } from './kept-part.ts';
import { localDocumentClient } from './local-clients.ts';

/** The bucket's name: the same at every start (the bucket itself is new each time). */
export const LOCAL_DIGEST_BUCKET = 'login-history-digests-local';
/** The kept stack's sealing grid: one UTC day (the stack's SealIntervalMinutes is 15 by default). */
export const LOCAL_SEAL_GRID_MINUTES = 1440;
const DAY_MS = 86_400_000;

/** The sort-key attribute each table's records begin with their ISO time in. */
const TIME_KEY = { 'sign-ins': 'signInId', 'auth-events': 'sk' } as const;

/** The start of the UTC day of the oldest record of any source, or undefined when there is none. */
async function firstRecordDay(
  doc: DynamoDBDocumentClient,
  sources: IntervalSource[],
): Promise<number | undefined> {
  let oldest: string | undefined;
  for (const source of sources) {
    const attribute = TIME_KEY[source.table];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new ScanCommand({
          TableName: source.tableName,
          ProjectionExpression: '#t',
          ExpressionAttributeNames: { '#t': attribute },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const time = item[attribute];
        if (typeof time === 'string' && /^\d{4}-\d\d-\d\dT/.test(time) && (!oldest || time < oldest))
          oldest = time;
      }
      start = page.LastEvaluatedKey;
    } while (start);
  }
  return oldest === undefined ? undefined : Math.floor(Date.parse(oldest.slice(0, 10)) / DAY_MS) * DAY_MS;
}

export async function startKeptTrail(context: KeptPartContext): Promise<KeptPart> {
  const { stack, template, motoEndpoint } = context;
  const lock = resolvedProperty(template, 'DigestBucket', 'ObjectLockConfiguration') as {
    Rule: { DefaultRetention: { Days: number } };
  };
  const digests = await createLocalDigests(motoEndpoint, {
    bucket: LOCAL_DIGEST_BUCKET,
    retentionDays: Number(lock.Rule.DefaultRetention.Days),
  });
  const sources: IntervalSource[] = [
    {
      table: 'sign-ins',
      tableName: stack.tableName,
      dayIndexShards: Number(parameterDefaults(template).DayIndexShards),
    },
    ...(stack.authEvents ? [{ table: 'auth-events' as const, tableName: stack.authEvents.tableName }] : []),
  ];
  const doc = localDocumentClient(stack.dynamoEndpoint);
  const genesis = (await firstRecordDay(doc, sources)) ?? Math.floor(Date.now() / DAY_MS) * DAY_MS;
  return {
    name: 'trail',
    exports: { DIGEST_BUCKET: digests.bucket, SIGNING_KEY_ARN: digests.keyArn },
    async seal(until) {
      const sealed = await sealLocally(digests, doc, sources, {
        genesis,
        until,
        intervalMinutes: LOCAL_SEAL_GRID_MINUTES,
      });
      return sealed.map(
        (table) =>
          `${table.table.padEnd(11)} ${counted(table.sealed, 'new digest').padStart(15)}; the chain covers ${new Date(genesis).toISOString()} – ${table.upTo ?? '(nothing yet)'}`,
      );
    },
    async stop() {
      doc.destroy();
    },
  };
}

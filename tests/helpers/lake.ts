/**
 * Records worth a lake, in dynalite: both tables as the template makes them, sign-ins over three days (a
 * federated one, one with an address outside OCSF's e-mail pattern, one without app client, one before the
 * period) and authentication events (a failure with no known user, an IPv6 source, a source that is not an
 * IP). And the lake read back with DuckDB, partitions typed as strings.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import type { LoginHistoryItem } from '#contract';
import { buildHistoryItem } from '../../authenticated/src/history-item.ts';
import type { OcsfAuthentication } from '../../authenticated/src/ocsf.ts';
import { loadTemplate, tableCreateInput } from '../../dev/build/template.ts';
import { startDynalite } from '../../dev/local-stack/dynalite.ts';
import {
  LOCAL_CREDENTIALS_ENV,
  localDocumentClient,
  localDynamoDB,
} from '../../dev/local-stack/local-clients.ts';
import type { AuthEventRecord } from '../../scripts/records/auth-events.ts';
import { authEvent, createAuthEventsTable, putAuthEvents } from './auth-events.ts';
import { putItems } from './tables.ts';

export const LAKE_SHARDS = 2;
export const POOL = 'us-east-1_LakePool';
export const FROM = '2026-11-28';
export const TO = '2026-11-30';

export interface LakeTables {
  endpoint: string;
  env: NodeJS.ProcessEnv;
  table: string;
  authEventsTable: string;
  /** The options that name both tables and the day index's shards (export-ocsf's, audit-pack's). */
  tableOptions: string[];
  /** Sign-ins inside the period, oldest first; one more lies before it. */
  signIns: LoginHistoryItem[];
  /** Events inside the period. */
  authEvents: AuthEventRecord[];
  stop(): Promise<void>;
}

export function signInItem(
  sub: string,
  at: string,
  fields: {
    userName?: string;
    email?: string;
    clientId?: string;
    provider?: string;
    newDevice?: boolean;
  } = {},
): LoginHistoryItem {
  const built = buildHistoryItem(
    {
      triggerSource: 'PostAuthentication_Authentication',
      userPoolId: POOL,
      userName: fields.userName ?? sub.slice(0, 8),
      ...(fields.clientId === undefined ? {} : { callerContext: { clientId: fields.clientId } }),
      request: {
        userAttributes: {
          sub,
          ...(fields.email ? { email: fields.email } : {}),
          ...(fields.provider
            ? {
                identities: JSON.stringify([{ providerName: fields.provider, primary: 'true', userId: 'x' }]),
              }
            : {}),
        },
        ...(fields.newDevice === undefined ? {} : { newDeviceUsed: fields.newDevice }),
      },
    },
    { requestId: randomUUID(), now: Date.parse(at), retentionDays: 365, dayIndexShards: LAKE_SHARDS },
  );
  if (!built.ok) throw new Error(built.rejection.detail);
  return built.item;
}

export const SUBS = {
  alice: '11111111-1111-4111-8111-111111111111',
  bob: '22222222-2222-4222-8222-222222222222',
  carol: '33333333-3333-4333-8333-333333333333',
};

export async function startLakeTables(): Promise<LakeTables> {
  const dynalite = await startDynalite();
  const ddb = localDynamoDB(dynalite.endpoint);
  const doc = localDocumentClient(dynalite.endpoint);
  try {
    const table = 'lake-history';
    const authEventsTable = 'lake-auth-events';
    await ddb.send(
      new CreateTableCommand(
        tableCreateInput(loadTemplate(), table, { DayIndexShards: String(LAKE_SHARDS) }),
      ),
    );
    await createAuthEventsTable(ddb, authEventsTable);
    const before = signInItem(SUBS.carol, '2026-11-01T10:00:00.000Z', { clientId: 'web' });
    const signIns = [
      signInItem(SUBS.alice, '2026-11-28T09:00:00.000Z', {
        email: 'alice@example.com',
        clientId: 'web',
        newDevice: true,
      }),
      signInItem(SUBS.bob, '2026-11-28T09:00:00.000Z', { email: 'ボブ@example.jp', clientId: 'mobile' }),
      signInItem(SUBS.alice, '2026-11-29T23:59:59.999Z', {
        provider: 'Google',
        clientId: 'web',
        newDevice: false,
      }),
      signInItem(SUBS.bob, '2026-11-30T00:00:00.000Z', {}),
      signInItem(SUBS.alice, '2026-11-30T12:30:00.000Z', { email: 'alice@example.com', clientId: 'web' }),
    ];
    await putItems(doc, table, [before, ...signIns]);
    const authEvents = [
      authEvent({ eventTime: '2026-11-28T08:59:00.000Z', sub: SUBS.alice, userPoolId: POOL }),
      authEvent({
        eventTime: '2026-11-28T09:00:00.000Z',
        outcome: 'success',
        errorCode: undefined,
        sub: SUBS.alice,
        userPoolId: POOL,
      }),
      authEvent({
        eventTime: '2026-11-29T03:00:00.000Z',
        errorCode: 'UserNotFoundException',
        userPoolId: POOL,
      }),
      authEvent({
        eventTime: '2026-11-29T03:00:01.000Z',
        sourceIp: '2001:db8::7',
        sub: SUBS.bob,
        userPoolId: POOL,
      }),
      authEvent({
        eventTime: '2026-11-30T10:00:00.000Z',
        sourceIp: 'cognito-idp.amazonaws.com',
        eventName: 'Mfa_POST',
        errorCode: undefined,
        userPoolId: POOL,
        authFlow: undefined,
        clientId: undefined,
      }),
    ];
    await putAuthEvents(doc, authEventsTable, [
      ...authEvents,
      authEvent({ eventTime: '2026-12-01T00:00:00.000Z', userPoolId: POOL }),
    ]);
    return {
      endpoint: dynalite.endpoint,
      env: { ...process.env, ...LOCAL_CREDENTIALS_ENV, AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint },
      table,
      authEventsTable,
      tableOptions: [
        '--table-name',
        table,
        '--shards',
        String(LAKE_SHARDS),
        '--auth-events-table-name',
        authEventsTable,
      ],
      signIns,
      authEvents,
      stop: async () => {
        ddb.destroy();
        doc.destroy();
        await dynalite.close();
      },
    };
  } catch (error) {
    ddb.destroy();
    doc.destroy();
    await dynalite.close();
    throw error;
  }
}

/** Rows of a query over a lake folder (`{lake}` in the SQL is the read_parquet call), as JSON-safe objects. */
export async function queryLake(
  folder: string,
  source: string,
  sql: string,
): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
  const connection = await instance.connect();
  try {
    const lake = `read_parquet('${folder}/ext/${source}/**/*.parquet', hive_partitioning = true, hive_types = {'region': VARCHAR, 'accountId': VARCHAR, 'eventDay': VARCHAR})`;
    const reader = await connection.runAndReadAll(sql.replaceAll('{lake}', lake));
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** `npm run export-ocsf`'s JSON Lines: an OCSF event a line. */
export const ocsfLines = (jsonl: string): OcsfAuthentication[] =>
  jsonl
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as OcsfAuthentication);

/** The Parquet objects of a lake folder, their paths relative to it, sorted. */
export const parquetFiles = (folder: string): string[] =>
  readdirSync(folder, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.parquet'))
    .sort();

/** A new bucket holding a lake folder's Parquet objects under `prefix`: the lake as the stack keeps it, in S3. */
export async function uploadLake(s3: S3Client, bucket: string, folder: string, prefix = ''): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const name of parquetFiles(folder)) {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `${prefix}${name}`,
        Body: readFileSync(join(folder, name)),
      }),
    );
  }
}

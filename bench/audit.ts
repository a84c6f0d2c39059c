/**
 * The read side at real sizes, on the local engines: the dormant-account report over a 10,000-user
 * cognito-local pool, and the CSV export of 100,000 sign-ins (rate and the command's peak memory). Each is
 * `npm run history` run as a user runs it, in its own process; dynalite and cognito-local run in this one.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LoginHistoryItem } from '#contract';
import { buildHistoryItem } from '../authenticated/src/history-item.ts';
import { loadTemplate, tableCreateInput } from '../dev/build/template.ts';
import { startCognitoLocal } from '../dev/local-stack/cognito-local.ts';
import { startDynalite } from '../dev/local-stack/dynalite.ts';
import { localClientConfig, localDynamoDB } from '../dev/local-stack/local-clients.ts';
import {
  createPoolWithClient,
  createUser,
  realisticPoolInput,
} from '../dev/local-stack/user-pool-fixtures.ts';
import { mapBounded } from '../scripts/core/generic.ts';
import { runMeasured } from './measured-command.ts';

const USERS = Number(process.env.BENCH_AUDIT_USERS ?? 10_000);
const EXPORT_ITEMS = Number(process.env.BENCH_EXPORT_ITEMS ?? 100_000);
const SHARDS = 4;
/** The JavaScript heap cap of the second export run (the items alone are ~0.5 KB each as CSV). */
const HEAP_CAP_MB = 48;
const DAY = 86_400_000;

export interface AuditBenchResult {
  dormantReport: { users: number; withSignIns: number; dormant: number; seconds: number; peakRssMb: number };
  export: {
    items: number;
    shards: number;
    days: number;
    seconds: number;
    itemsPerSecond: number;
    peakRssMb: number;
    bytes: number;
    heapCapMb: number;
    cappedPeakRssMb: number;
  };
}

const history = (args: string[], env: Record<string, string>, nodeOptions = '') =>
  runMeasured('history', args, env, nodeOptions);

export async function batchWrite(
  doc: DynamoDBDocumentClient,
  table: string,
  items: readonly object[],
  concurrency = 8,
) {
  const batches: object[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  await mapBounded(batches, concurrency, async (batch) => {
    let pending: Record<string, unknown>[] = batch.map((Item) => ({ PutRequest: { Item } }));
    while (pending.length > 0) {
      const r = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending as never } }));
      pending = (r.UnprocessedItems?.[table] ?? []) as Record<string, unknown>[];
    }
  });
}

function item(sub: string, userName: string, at: number): LoginHistoryItem {
  const built = buildHistoryItem(
    {
      triggerSource: 'PostAuthentication_Authentication',
      userPoolId: 'us-east-1_Bench',
      userName,
      callerContext: { clientId: 'benchclient' },
      request: { userAttributes: { sub, email: `${userName}@example.com` } },
    },
    { requestId: randomUUID(), now: at, retentionDays: 365, dayIndexShards: SHARDS },
  );
  if (!built.ok) throw new Error(built.rejection.detail);
  return built.item;
}

/**
 * A cognito-local pool of `count` users created at `createdAt` (epoch ms): one made through the API, the rest
 * cloned into cognito-local's pool file (AdminCreateUser rewrites the whole file per user, which would make
 * seeding quadratic). cognito-local is stopped again; start it on `dataDir` to use the pool.
 */
export async function seedLargePool(
  dataDir: string,
  count: number,
  createdAt: number,
): Promise<{ poolId: string; users: { username: string; sub: string }[] }> {
  const cognito = await startCognitoLocal({ dataDir });
  const client = new CognitoIdentityProviderClient(localClientConfig(cognito.endpoint));
  const pool = await createPoolWithClient(client, realisticPoolInput('bench-audit'));
  await createUser(client, pool.poolId, 'template-user', 'Correct-Horse-42', {
    email: 'template@example.com',
  });
  client.destroy();
  await cognito.close();
  const file = join(dataDir, 'db', `${pool.poolId}.json`);
  const stored = JSON.parse(readFileSync(file, 'utf8'));
  const model = stored.Users['template-user'];
  const users = Array.from({ length: count }, (_, i) => ({
    username: `user-${String(i).padStart(5, '0')}`,
    sub: randomUUID(),
  }));
  stored.Users = Object.fromEntries(
    users.map(({ username, sub }) => [
      username,
      {
        ...model,
        Username: username,
        Attributes: [
          { Name: 'sub', Value: sub },
          { Name: 'email', Value: `${username}@example.com` },
        ],
        UserCreateDate: new Date(createdAt).toISOString(),
      },
    ]),
  );
  writeFileSync(file, JSON.stringify(stored));
  return { poolId: pool.poolId, users };
}

export async function auditBench(log: (line: string) => void): Promise<AuditBenchResult> {
  const scratch = mkdtempSync(join(tmpdir(), 'bench-audit-'));
  const dynamo = await startDynalite();
  const ddb = localDynamoDB(dynamo.endpoint);
  const doc = DynamoDBDocumentClient.from(ddb);
  try {
    const template = loadTemplate();
    const parameters = { DayIndexShards: String(SHARDS) };
    await ddb.send(new CreateTableCommand(tableCreateInput(template, 'bench-audit', parameters)));
    await ddb.send(new CreateTableCommand(tableCreateInput(template, 'bench-export', parameters)));
    const now = Date.now();

    const cognitoDir = join(scratch, 'cognito');
    const { poolId, users } = await seedLargePool(cognitoDir, USERS, now - 400 * DAY);
    const cognito = await startCognitoLocal({ dataDir: cognitoDir });
    const pool = { poolId };

    // 70% of users have sign-ins (half of them within 90 days), 30% none.
    const signIns = users.flatMap((u, i) =>
      i % 10 < 7 ? [item(u.sub, u.username, now - (i % 2 === 0 ? 10 : 200) * DAY - i * 1000)] : [],
    );
    log(`  seeding ${USERS} users and ${signIns.length} sign-ins…`);
    await batchWrite(doc, 'bench-audit', signIns);
    const report = await history(
      [
        '--inactive-since',
        '90d',
        '--user-pool-id',
        pool.poolId,
        '--table-name',
        'bench-audit',
        '--shards',
        String(SHARDS),
        '--json',
      ],
      {
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognito.endpoint,
      },
    );
    const dormant = JSON.parse(report.stdout).length;
    await cognito.close();

    // EXPORT_ITEMS sign-ins over 10 days, exported as CSV.
    const days = 10;
    log(`  seeding ${EXPORT_ITEMS} sign-ins over ${days} days × ${SHARDS} shards…`);
    const start = Date.parse('2026-10-01T00:00:00.000Z');
    const step = (days * DAY) / EXPORT_ITEMS;
    await batchWrite(
      doc,
      'bench-export',
      Array.from({ length: EXPORT_ITEMS }, (_, i) =>
        item(randomUUID(), `user-${i % 5000}`, start + Math.floor(i * step)),
      ),
    );
    const exportArgs = [
      '--from',
      '2026-10-01',
      '--to',
      '2026-10-10',
      '--table-name',
      'bench-export',
      '--shards',
      String(SHARDS),
      '--format',
      'csv',
    ];
    const exported = await history(exportArgs, { AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint });
    const rows = exported.stdout.split('\r\n').length - 2; // header and the final empty string
    if (rows !== EXPORT_ITEMS) throw new Error(`export wrote ${rows} rows, expected ${EXPORT_ITEMS}`);
    // Proof that memory does not grow with the export: the same export under a JavaScript heap capped far
    // below what the items would take if they were held (it would fail with "heap out of memory").
    const capped = await history(
      exportArgs,
      { AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint },
      `--max-old-space-size=${HEAP_CAP_MB}`,
    );
    if (capped.stdout !== exported.stdout) throw new Error('the capped-heap export differs');
    return {
      dormantReport: {
        users: USERS,
        withSignIns: signIns.length,
        dormant,
        seconds: Math.round(report.seconds * 10) / 10,
        peakRssMb: report.peakRssMb,
      },
      export: {
        items: rows,
        shards: SHARDS,
        days,
        seconds: Math.round(exported.seconds * 10) / 10,
        itemsPerSecond: Math.round(rows / exported.seconds),
        peakRssMb: exported.peakRssMb,
        bytes: exported.bytes,
        heapCapMb: HEAP_CAP_MB,
        cappedPeakRssMb: capped.peakRssMb,
      },
    };
  } finally {
    doc.destroy();
    await dynamo.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

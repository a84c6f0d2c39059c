/**
 * `npm run audit-pack` at the size of a real quarter: 1,000,000 sign-ins of 10,000 users over 92 days (4
 * day-index shards) and 100,000 authentication events, against dynalite in a process of its own (LevelDB on
 * disk) and a 10,000-user cognito-local pool. The pack runs as a user runs it, in its own process; its time
 * and peak memory are measured (targets: under 3 minutes, under 400 MB).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { shardOf } from '../authenticated/src/common.ts';
import { buildHistoryItem } from '../authenticated/src/history-item.ts';
import { loadTemplate, PROJECT_ROOT, tableCreateInput } from '../dev/build/template.ts';
import { startCognitoLocal } from '../dev/local-stack/cognito-local.ts';
import { seedLargePool } from './audit.ts';
import { bulkLoad, createTables } from './bulk-load.ts';
import { runMeasured } from './measured-command.ts';

const SIGN_INS = Number(process.env.BENCH_PACK_SIGN_INS ?? 1_000_000);
const USERS = Number(process.env.BENCH_PACK_USERS ?? 10_000);
const AUTH_EVENTS = Number(process.env.BENCH_PACK_AUTH_EVENTS ?? 100_000);
const DAYS = 92;
const SHARDS = 4;
const FROM = '2026-07-01';
const TO = '2026-09-30';
const DAY = 86_400_000;

export interface AuditPackBenchResult {
  signIns: number;
  users: number;
  authEvents: number;
  days: number;
  seedSeconds: number;
  seconds: number;
  /** CPU time of the pack's process (the machine's load stretches `seconds`, hardly this). */
  cpuSeconds: number;
  /** The machine's 1-minute load average when the pack finished, and its cores. */
  loadAverage: number;
  cores: number;
  peakRssMb: number;
  targets: { seconds: number; peakRssMb: number };
  met: boolean;
  packBytes: number;
}

const AUTH_EVENTS_TABLE: CreateTableCommandInput = {
  TableName: 'bench-auth-events',
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: ['pk', 'sk', 'sourceIp', 'sub'].map((name) => ({
    AttributeName: name,
    AttributeType: 'S',
  })),
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: (['bySourceIp', 'sourceIp', 'bySub', 'sub'] as const).flatMap((v, i, a) =>
    i % 2 === 0
      ? [
          {
            IndexName: v,
            KeySchema: [
              { AttributeName: a[i + 1] as string, KeyType: 'HASH' as const },
              { AttributeName: 'sk', KeyType: 'RANGE' as const },
            ],
            Projection: { ProjectionType: 'ALL' as const },
          },
        ]
      : [],
  ),
};

function* signIns(users: { username: string; sub: string }[]): Generator<Record<string, unknown>> {
  const start = Date.parse(`${FROM}T00:00:00.000Z`);
  const step = (DAYS * DAY) / SIGN_INS;
  // 70% of the users sign in during the quarter; the rest are the dormant accounts.
  const active = users.slice(0, Math.ceil(users.length * 0.7));
  for (let i = 0; i < SIGN_INS; i++) {
    const user = active[(i * 7919) % active.length] as { username: string; sub: string };
    const built = buildHistoryItem(
      {
        triggerSource: 'PostAuthentication_Authentication',
        userPoolId: 'us-east-1_Bench',
        userName: user.username,
        callerContext: { clientId: ['web-app', 'mobile-app', 'admin-console'][i % 3] },
        request: {
          userAttributes: {
            sub: user.sub,
            email: `${user.username}@example.com`,
            ...(i % 10 === 0
              ? { identities: JSON.stringify([{ providerName: 'Google', primary: 'true', userId: 'x' }]) }
              : {}),
          },
        },
      },
      {
        requestId: randomUUID(),
        now: start + Math.floor(i * step),
        retentionDays: 365,
        dayIndexShards: SHARDS,
      },
    );
    if (!built.ok) throw new Error(built.rejection.detail);
    yield built.item as unknown as Record<string, unknown>;
  }
}

function* authEvents(users: { sub: string }[]): Generator<Record<string, unknown>> {
  const start = Date.parse(`${FROM}T00:00:00.000Z`);
  const step = (DAYS * DAY) / AUTH_EVENTS;
  for (let i = 0; i < AUTH_EVENTS; i++) {
    const eventTime = new Date(start + Math.floor(i * step)).toISOString();
    const eventId = randomUUID();
    const failure = i % 4 !== 0;
    const sub = i % 3 === 0 ? undefined : users[i % users.length]?.sub;
    yield {
      pk: `${eventTime.slice(0, 10)}#${String(shardOf(eventId, 16)).padStart(2, '0')}`,
      sk: `${eventTime}#${eventId}`,
      eventTime,
      eventId,
      eventName: 'InitiateAuth',
      outcome: failure ? 'failure' : 'success',
      ...(failure ? { errorCode: 'NotAuthorizedException' } : {}),
      sourceIp: `198.51.100.${i % 200}`,
      userAgent: 'aws-sdk-js/3',
      ...(sub ? { sub } : {}),
      clientId: 'web-app',
      userPoolId: 'us-east-1_Bench',
      authFlow: 'USER_PASSWORD_AUTH',
    };
  }
}

export async function auditPackBench(log: (line: string) => void): Promise<AuditPackBenchResult> {
  const scratch = mkdtempSync(join(tmpdir(), 'bench-audit-pack-'));
  const dataDir = join(scratch, 'dynamodb');
  const cognitoDir = join(scratch, 'cognito');
  try {
    const seedStarted = performance.now();
    const { poolId, users } = await seedLargePool(cognitoDir, USERS, Date.parse('2026-01-01'));
    const table = 'bench-pack-history';
    await createTables(dataDir, [
      tableCreateInput(loadTemplate(), table, { DayIndexShards: String(SHARDS) }),
      AUTH_EVENTS_TABLE,
    ]);
    log(
      `  loading ${SIGN_INS} sign-ins of ${USERS} users over ${DAYS} days and ${AUTH_EVENTS} authentication events…`,
    );
    await bulkLoad(dataDir, [
      { table, items: signIns(users) },
      { table: AUTH_EVENTS_TABLE.TableName as string, items: authEvents(users) },
    ]);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    log(`  loaded in ${seedSeconds.toFixed(0)} s`);

    const dynalite = spawn(
      process.execPath,
      ['--import', 'tsx', join(PROJECT_ROOT, 'bench', 'dynalite-process.ts'), dataDir],
      {
        cwd: PROJECT_ROOT,
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    const cognito = await startCognitoLocal({ dataDir: cognitoDir });
    try {
      const [endpoint] = (await once(
        createInterface({ input: dynalite.stdout as NodeJS.ReadableStream }),
        'line',
      )) as [string];
      const out = join(scratch, 'pack');
      const run = await runMeasured(
        'audit-pack',
        [
          '--from',
          FROM,
          '--to',
          TO,
          '--user-pool-id',
          poolId,
          '--table-name',
          table,
          '--shards',
          String(SHARDS),
          '--auth-events-table-name',
          AUTH_EVENTS_TABLE.TableName as string,
          '--out',
          out,
        ],
        { AWS_ENDPOINT_URL_DYNAMODB: endpoint, AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognito.endpoint },
      );
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
      if (summary.signIns.signIns !== SIGN_INS) {
        throw new Error(`the pack counted ${summary.signIns.signIns} sign-ins, ${SIGN_INS} were loaded`);
      }
      if (summary.authEvents.events !== AUTH_EVENTS) {
        throw new Error(
          `the pack counted ${summary.authEvents.events} authentication events, ${AUTH_EVENTS} were loaded`,
        );
      }
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
      const targets = { seconds: 180, peakRssMb: 400 };
      return {
        signIns: SIGN_INS,
        users: USERS,
        authEvents: AUTH_EVENTS,
        days: DAYS,
        seedSeconds: Math.round(seedSeconds),
        seconds: Math.round(run.seconds * 10) / 10,
        cpuSeconds: run.cpuSeconds,
        loadAverage: Math.round((loadavg()[0] ?? 0) * 10) / 10,
        cores: cpus().length,
        peakRssMb: run.peakRssMb,
        targets,
        met: run.seconds < targets.seconds && run.peakRssMb < targets.peakRssMb,
        packBytes: manifest.files.reduce((sum: number, f: { bytes: number }) => sum + f.bytes, 0),
      };
    } finally {
      await cognito.close();
      dynalite.stdin?.end();
      await once(dynalite, 'exit');
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

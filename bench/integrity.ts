/**
 * The trail's sealing and verification at size: a day of 1,000,000 sign-ins (4 day-index shards) in dynalite
 * (its own process, LevelDB on disk), the digests in moto's S3 with Object Lock, signed by moto's KMS.
 * Measured, each in a process of its own: sealing the day (time, peak memory, and what it costs a month at the
 * template's prices), `npm run verify-trail` over the day against reading the same items the way the audit
 * pack reads them (`npm run history -- --from --to --format csv`, its period reader): target ≤ 1.25× that,
 * with memory flat (a tenth of the day verified in about the same peak RSS).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { buildHistoryItem } from '../authenticated/src/history-item.ts';
import { loadTemplate, PROJECT_ROOT, tableCreateInput } from '../dev/build/template.ts';
import { createLocalDigests, localS3 } from '../dev/local-stack/digests-local.ts';
import { startMoto } from '../dev/local-stack/moto.ts';
import { bulkLoad, createTables } from './bulk-load.ts';
import { runMeasured, runMeasuredScript } from './measured-command.ts';

const SIGN_INS = Number(process.env.BENCH_SEAL_SIGN_INS ?? 1_000_000);
const USERS = 100_000;
const SHARDS = 4;
const DAY = '2026-07-01';
const TABLE = 'bench-sealed-history';

/**
 * us-east-1 prices (the cost section of docs/design.md and docs/integrity.md): Lambda arm64 per GB-second and
 * per request, DynamoDB on-demand read units, S3 Standard storage and PUT/GET requests, KMS asymmetric Sign
 * requests (ECC) and the key, CloudWatch custom metrics and standard alarms (per metric they read).
 */
const PRICE = {
  lambdaGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  s3GbMonth: 0.023,
  s3Put: 0.005 / 1000,
  s3Get: 0.0004 / 1000,
  kmsKeyMonth: 1,
  kmsSign: 0.15 / 10_000,
  metricMonth: 0.3,
  alarmMetricMonth: 0.1,
};

export interface IntegrityBenchResult {
  signIns: number;
  day: string;
  shards: number;
  seedSeconds: number;
  digestMbPerDay: number;
  seal: { seconds: number; cpuSeconds: number; peakRssMb: number; intervals: number; itemsPerSecond: number };
  read: { seconds: number; cpuSeconds: number; peakRssMb: number };
  verify: { seconds: number; cpuSeconds: number; peakRssMb: number; tenthPeakRssMb: number };
  ratio: number;
  target: number;
  met: boolean;
  monthlyCostUsd: Record<string, number>;
  loadAverage: number;
  cores: number;
}

function* signIns(): Generator<Record<string, unknown>> {
  const start = Date.parse(`${DAY}T00:00:00.000Z`);
  for (let i = 0; i < SIGN_INS; i++) {
    const user = `00000000-0000-4000-8000-${String(i % USERS).padStart(12, '0')}`;
    const built = buildHistoryItem(
      {
        triggerSource: 'PostAuthentication_Authentication',
        userPoolId: 'us-east-1_Bench',
        userName: user,
        callerContext: { clientId: ['web-app', 'mobile-app'][i % 2] },
        request: { userAttributes: { sub: user, email: `u${i % USERS}@example.com` } },
      },
      {
        requestId: randomUUID(),
        now: start + Math.floor((i * 86_400_000) / SIGN_INS),
        retentionDays: 3650,
        dayIndexShards: SHARDS,
      },
    );
    if (!built.ok) throw new Error(built.rejection.detail);
    yield built.item as unknown as Record<string, unknown>;
  }
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export async function integrityBench(log: (line: string) => void): Promise<IntegrityBenchResult> {
  const moto = await startMoto();
  if (!moto)
    throw new Error('moto_server is not installed: run npm test once (it provisions the Python tools)');
  const scratch = mkdtempSync(join(tmpdir(), 'bench-integrity-'));
  const dataDir = join(scratch, 'dynamodb');
  try {
    const seedStarted = performance.now();
    await createTables(dataDir, [
      tableCreateInput(loadTemplate(), TABLE, { DayIndexShards: String(SHARDS) }),
    ]);
    log(`  loading ${SIGN_INS} sign-ins of one day (${DAY}, ${SHARDS} shards)…`);
    await bulkLoad(dataDir, [{ table: TABLE, items: signIns() }]);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const dynalite = spawn(
      process.execPath,
      ['--import', 'tsx', join(PROJECT_ROOT, 'bench', 'dynalite-process.ts'), dataDir],
      {
        cwd: PROJECT_ROOT,
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    try {
      const [endpoint] = (await once(
        createInterface({ input: dynalite.stdout as NodeJS.ReadableStream }),
        'line',
      )) as [string];
      const digests = await createLocalDigests(moto.endpoint, { retentionDays: 1 });
      log('  sealing the day (96 intervals of 15 minutes)…');
      const seal = await runMeasuredScript(
        'bench/seal-day.ts',
        [
          JSON.stringify({
            dynamodb: endpoint,
            moto: moto.endpoint,
            ...digests,
            table: TABLE,
            shards: SHARDS,
            day: DAY,
          }),
        ],
        {},
      );
      const report = JSON.parse(seal.stdout.trim().split('\n').at(-1) as string)[0];
      const env = {
        AWS_ENDPOINT_URL_DYNAMODB: endpoint,
        AWS_ENDPOINT_URL_S3: moto.endpoint,
        AWS_ENDPOINT_URL_KMS: moto.endpoint,
      };
      log('  reading the day as the audit pack does (history --from --to --format csv)…');
      const read = await runMeasured(
        'history',
        ['--from', DAY, '--to', DAY, '--table-name', TABLE, '--shards', String(SHARDS), '--format', 'csv'],
        env,
      );
      log('  verifying the day (verify-trail)…');
      const where = ['--table-name', TABLE, '--shards', String(SHARDS), '--digest-bucket', digests.bucket];
      const verify = await runMeasured('verify-trail', ['--from', DAY, '--to', DAY, ...where], env);
      if (!/Trail intact/.test(verify.stdout))
        throw new Error(`verify-trail did not find the day intact:\n${verify.stdout}`);
      const tenth = await runMeasured(
        'verify-trail',
        ['--from', `${DAY}T00:00:00.000Z`, '--to', `${DAY}T02:23:59.999Z`, ...where],
        env,
      );

      // What the day's digests take in S3 (gzipped leaves and digests).
      const s3 = localS3(moto.endpoint);
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: digests.bucket, Prefix: 'digests/' }));
      s3.destroy();
      const digestBytes = (listed.Contents ?? []).reduce((sum, o) => sum + (o.Size ?? 0), 0);
      // A month of the template's defaults at this traffic: the sealer every 15 minutes (2,880 runs doing, in
      // all, a day's sealing per day at 512 MB), the watchdog every 5 (8,640 runs of about a second at 256 MB).
      const monthlyCostUsd = {
        sealerLambda: round(seal.seconds * 0.5 * 30 * PRICE.lambdaGbSecond + 2880 * PRICE.lambdaRequest, 2),
        // Queries read 0.45 KB items, eventually consistent: half a read unit per 4 KB.
        sealerReads: round(((SIGN_INS * 0.45) / 4) * 0.5 * 30 * PRICE.dynamoReadUnit, 2),
        digestStoragePerMonthKept: round(((digestBytes * 30) / 2 ** 30) * PRICE.s3GbMonth, 2),
        digestRequests: round(2880 * 2 * PRICE.s3Put + 8640 * 2 * PRICE.s3Get, 2),
        signingKey: round(PRICE.kmsKeyMonth + 2880 * 2 * PRICE.kmsSign, 2),
        watchdogLambda: round(8640 * 1 * 0.25 * PRICE.lambdaGbSecond + 8640 * PRICE.lambdaRequest, 2),
        // 7 checks, the heartbeat, seal failures and trail changes.
        customMetrics: round(10 * PRICE.metricMonth, 2),
        // 17 metrics read by the trail's alarms (the tamper alarm reads 4, the detector's health 2).
        alarms: round(17 * PRICE.alarmMetricMonth, 2),
      };
      const ratio = round(verify.seconds / read.seconds, 2);
      return {
        signIns: SIGN_INS,
        day: DAY,
        shards: SHARDS,
        seedSeconds: Math.round(seedSeconds),
        digestMbPerDay: round(digestBytes / 2 ** 20),
        seal: {
          seconds: round(seal.seconds),
          cpuSeconds: seal.cpuSeconds,
          peakRssMb: seal.peakRssMb,
          intervals: report.sealed,
          itemsPerSecond: Math.round(SIGN_INS / seal.seconds),
        },
        read: { seconds: round(read.seconds), cpuSeconds: read.cpuSeconds, peakRssMb: read.peakRssMb },
        verify: {
          seconds: round(verify.seconds),
          cpuSeconds: verify.cpuSeconds,
          peakRssMb: verify.peakRssMb,
          tenthPeakRssMb: tenth.peakRssMb,
        },
        ratio,
        target: 1.25,
        met: ratio <= 1.25,
        monthlyCostUsd,
        loadAverage: round(loadavg()[0] ?? 0),
        cores: cpus().length,
      };
    } finally {
      dynalite.stdin?.end();
      await once(dynalite, 'exit');
    }
  } finally {
    await moto.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * `npm run replay` at outage scale, measured side by side in one run: throughput against dynalite behind a
 * proxy that adds 5 ms to every request (a sequential conditional-put loop of the same items as the
 * baseline), and peak memory replaying a 300 MB log export that is mostly other Lambda log lines.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type LoginHistoryItem, NO_OVERWRITE } from '#contract';
import { buildHistoryItem } from '../authenticated/src/history-item.ts';
import { loadTemplate, PROJECT_ROOT, tableCreateInput } from '../dev/build/template.ts';
import { localDocumentClient, localDynamoDB } from '../dev/local-stack/local-clients.ts';
import { DEFAULT_CONCURRENCY } from '../scripts/replay/replay.ts';
import { startLatencyProxy } from './latency-proxy.ts';
import { runMeasured } from './measured-command.ts';

const RECORDS = Number(process.env.BENCH_REPLAY_RECORDS ?? 20_000);
/** The sequential loop's rate is the same for every item: it runs over the first of the same items only. */
const SEQUENTIAL_SAMPLE = Math.min(RECORDS, 3000);
const LATENCY_MS = 5;
const CONCURRENCY = process.env.BENCH_REPLAY_CONCURRENCY;
const EXPORT_MB = Number(process.env.BENCH_REPLAY_EXPORT_MB ?? 300);
const EXPORT_RECORDS = 20_000;

export interface ReplayBenchResult {
  records: number;
  sequentialSample: number;
  latencyMs: number;
  sequentialPerSecond: number;
  replayPerSecond: number;
  replayConcurrency: number;
  ratio: number;
  /** The same records with --workers 1: whether one thread reaches 8× decides if the threads are needed. */
  singleThreadPerSecond: number;
  singleThreadRatio: number;
  exportMb: number;
  exportRecords: number;
  exportSeconds: number;
  exportPeakRssMb: number;
  exportProcesses: number;
  singleWriterSeconds: number;
  singleWriterPeakRssMb: number;
}

function item(i: number): LoginHistoryItem {
  const built = buildHistoryItem(
    {
      triggerSource: 'PostAuthentication_Authentication',
      userPoolId: 'us-east-1_Bench',
      userName: `user-${i}`,
      callerContext: { clientId: 'benchclient' },
      request: { userAttributes: { sub: `sub-${i}`, email: `user-${i}@example.com` } },
    },
    { requestId: `req-${i}`, now: Date.UTC(2026, 9, 1) + i * 997, retentionDays: 365, dayIndexShards: 1 },
  );
  if (!built.ok) throw new Error(built.rejection.detail);
  return built.item;
}

/** The failure record exactly as Lambda's JSON log format stores it (our line inside "message"). */
const failureLine = (i: number) =>
  JSON.stringify({
    timestamp: new Date(Date.UTC(2026, 9, 1) + i).toISOString(),
    level: 'ERROR',
    requestId: `req-${i}`,
    message: JSON.stringify({
      code: 'LOGIN_HISTORY_WRITE_FAILED',
      message: 'login history write failed; sign-in allowed',
      errorName: 'ProvisionedThroughputExceededException',
      item: item(i),
    }),
  });
const OTHER_LINES = [
  '{"time":"2026-10-01T00:00:00.000Z","type":"platform.start","record":{"requestId":"0f5e","version":"$LATEST"}}',
  '{"time":"2026-10-01T00:00:00.004Z","type":"platform.report","record":{"requestId":"0f5e","metrics":{"durationMs":4.12,"billedDurationMs":5,"memorySizeMB":512,"maxMemoryUsedMB":81}}}',
  '{"timestamp":"2026-10-01T00:00:00.002Z","level":"INFO","requestId":"0f5e","message":"{\\"code\\":\\"LOGIN_HISTORY_ALREADY_RECORDED\\",\\"message\\":\\"sign-in was already recorded\\"}"}',
];

async function writeExport(path: string, records: number, targetBytes: number): Promise<number> {
  const out = createWriteStream(path);
  let bytes = 0;
  let written = 0;
  const every = Math.max(1, Math.floor(targetBytes / 220 / records)); // other lines per record
  for (let line = 0; bytes < targetBytes || written < records; line++) {
    const text =
      line % every === 0 && written < records ? failureLine(written++) : (OTHER_LINES[line % 3] as string);
    bytes += text.length + 1;
    if (!out.write(`${text}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return written;
}

const runReplay = (args: string[], endpoint: string) =>
  runMeasured('replay', args, { AWS_ENDPOINT_URL_DYNAMODB: endpoint });

export async function replayBench(log: (line: string) => void): Promise<ReplayBenchResult> {
  const scratch = mkdtempSync(join(tmpdir(), 'bench-replay-'));
  const dynalite = spawn(
    process.execPath,
    ['--import', 'tsx', join(PROJECT_ROOT, 'bench', 'dynalite-process.ts')],
    {
      cwd: PROJECT_ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: dynalite.stdout as NodeJS.ReadableStream });
  const [endpoint] = (await once(lines, 'line')) as [string];
  const proxy = await startLatencyProxy(endpoint, LATENCY_MS);
  const ddb = localDynamoDB(endpoint);
  const viaProxy = localDocumentClient(proxy.endpoint);
  try {
    const template = loadTemplate();
    for (const table of ['sequential', 'replayed', 'replayed-single', 'export'])
      await ddb.send(new CreateTableCommand(tableCreateInput(template, `bench-${table}`)));

    log(
      `  ${RECORDS} failure records through a ${LATENCY_MS} ms proxy: sequential conditional puts of the first ${SEQUENTIAL_SAMPLE}…`,
    );
    const t0 = performance.now();
    for (let i = 0; i < SEQUENTIAL_SAMPLE; i++) {
      await viaProxy.send(new PutCommand({ TableName: 'bench-sequential', Item: item(i), ...NO_OVERWRITE }));
    }
    const sequentialSeconds = (performance.now() - t0) / 1000;

    log('  … and npm run replay of the same records from a log export');
    const file = join(scratch, 'outage.log');
    await writeExport(file, RECORDS, RECORDS * 2000);
    const replayed = await runReplay(
      [
        '--file',
        file,
        '--table-name',
        'bench-replayed',
        ...(CONCURRENCY ? ['--concurrency', CONCURRENCY] : []),
      ],
      proxy.endpoint,
    );
    if (!replayed.stdout.includes(`inserted: ${RECORDS}, already present: 0, unreadable: 0`)) {
      throw new Error(`unexpected replay report: ${replayed.stdout}`);
    }
    const singleThread = await runReplay(
      ['--file', file, '--table-name', 'bench-replayed-single', '--workers', '1'],
      proxy.endpoint,
    );
    if (!singleThread.stdout.includes(`inserted: ${RECORDS}, already present: 0, unreadable: 0`)) {
      throw new Error(`unexpected replay report: ${singleThread.stdout}`);
    }
    let stored = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await DynamoDBDocumentClient.from(ddb).send(
        new ScanCommand({ TableName: 'bench-replayed', Select: 'COUNT', ExclusiveStartKey: start }),
      );
      stored += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    if (stored !== RECORDS) throw new Error(`replayed table holds ${stored} items`);

    log(`  a ${EXPORT_MB} MB log export with ${EXPORT_RECORDS} failure records: peak memory…`);
    const big = join(scratch, 'big.log');
    const exportRecords = await writeExport(big, EXPORT_RECORDS, EXPORT_MB * 2 ** 20);
    const exported = await runReplay(['--file', big, '--table-name', 'bench-export'], endpoint);
    const single = await runReplay(
      ['--file', big, '--table-name', 'bench-export', '--workers', '1'],
      endpoint,
    );
    if (!single.stdout.includes(`inserted: 0, already present: ${exportRecords}, unreadable: 0`)) {
      throw new Error(`unexpected replay report: ${single.stdout}`);
    }
    if (!exported.stdout.includes(`inserted: ${exportRecords}, already present: 0, unreadable: 0`)) {
      throw new Error(`unexpected replay report: ${exported.stdout}`);
    }
    const sequentialPerSecond = Math.round(SEQUENTIAL_SAMPLE / sequentialSeconds);
    const replayPerSecond = Math.round(RECORDS / replayed.seconds);
    const singleThreadPerSecond = Math.round(RECORDS / singleThread.seconds);
    return {
      records: RECORDS,
      sequentialSample: SEQUENTIAL_SAMPLE,
      latencyMs: LATENCY_MS,
      sequentialPerSecond,
      replayPerSecond,
      replayConcurrency: Number(CONCURRENCY ?? DEFAULT_CONCURRENCY),
      ratio: Math.round((replayPerSecond / sequentialPerSecond) * 10) / 10,
      singleThreadPerSecond,
      singleThreadRatio: Math.round((singleThreadPerSecond / sequentialPerSecond) * 10) / 10,
      exportMb: Math.round(statSync(big).size / 2 ** 20),
      exportRecords,
      exportSeconds: Math.round(exported.seconds * 10) / 10,
      exportPeakRssMb: exported.peakRssMb,
      exportProcesses: exported.processes,
      singleWriterSeconds: Math.round(single.seconds * 10) / 10,
      singleWriterPeakRssMb: single.peakRssMb,
    };
  } finally {
    viaProxy.destroy();
    ddb.destroy();
    await proxy.stop();
    dynalite.stdin?.end();
    await once(dynalite, 'exit');
    rmSync(scratch, { recursive: true, force: true });
  }
}

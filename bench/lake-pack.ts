/**
 * The audit pack from a lake folder, in a process of its own so that the bench measures its time and peak
 * memory alone (bench/lake.ts): the same writeAuditPack and lake records the command runs, with the pool's
 * users from a Parquet file (`--users`), timed phase by phase. Prints one JSON line.
 * Usage: lake-pack.ts <lake folder> <users.parquet> <out> <from> <to> <table>
 */
import { mkdirSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { lakeRecords } from '../scripts/audit-pack/lake-records.ts';
import { writeAuditPack } from '../scripts/audit-pack/pack.ts';
import { duckdbEngine, type LakeEngine } from '../scripts/lake/engine.ts';

const [lake, users, out, from, to, table] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
];
const started = performance.now();
const phases: Record<string, number> = {};
let stage = 'start';
let stageStarted = started;
const mark = (next: string) => {
  if (next === stage) return;
  const now = performance.now();
  phases[stage] = Math.round((phases[stage] ?? 0) * 1000 + now - stageStarted) / 1000;
  // On stderr as it happens: a run that fails says in which stage.
  process.stderr.write(`stage ${stage} done after ${phases[stage]} s; now ${next}\n`);
  stage = next;
  stageStarted = now;
};

const engine = await duckdbEngine(lake);
let recordsMs = 0;
// The records' Parquet timed apart: the evidence copy, not the answers the target is about.
const timed: LakeEngine = {
  ...engine,
  async toParquet(query, parameters, select, path) {
    const t = performance.now();
    const rows = await engine.toParquet(query, parameters, select, path);
    recordsMs += performance.now() - t;
    return rows;
  },
};
mkdirSync(out, { recursive: true });
const ddb = new DynamoDBClient({});
try {
  const { summary } = await writeAuditPack({
    out,
    from: `${from}T00:00:00.000Z`,
    to: `${to}T23:59:59.999Z`,
    userPoolId: 'us-east-1_Bench',
    table,
    authEvents: { table: 'bench-lake-auth-events' },
    inactiveDays: 90,
    lang: 'en',
    parameters: { source: 'lake' },
    ddb,
    records: lakeRecords({ engine: timed, users: { file: users }, records: 'parquet' }),
    // The lake's bench measures the lake's answers; the digests are verify-trail's bench (integrity).
    integrity: { absent: 'not-named' },
    tool: { name: 'bench', version: '0', gitCommit: null },
    identity: { arn: 'arn:aws:iam::123456789012:user/bench', account: '123456789012' },
    progress: (next) => mark(next),
  });
  mark('end');
  const seconds = (performance.now() - started) / 1000;
  console.log(
    JSON.stringify({
      seconds,
      recordsSeconds: Math.round(recordsMs / 100) / 10,
      answersSeconds: Math.round((seconds - recordsMs / 1000) * 10) / 10,
      phases,
      signIns: summary.signIns.signIns,
      dormant: summary.dormantAccounts.dormant,
    }),
  );
} finally {
  ddb.destroy();
  await engine.close();
}

/**
 * Replay of failure records into dynalite: from a file of exported log lines in every wrapping the
 * runtime may produce, and from CloudWatch Logs (FilterLogEvents, paginated) on moto. Running it twice
 * adds nothing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  FilterLogEventsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type LoginHistoryItem, REPLAY_PARTITION } from '#contract';
import { readConfig } from '../../../../authenticated/src/config.ts';
import { createPostAuthenticationHandler } from '../../../../authenticated/src/record-sign-in.ts';
import { createHistoryClient, createHistoryWriter } from '../../../../authenticated/src/write-history.ts';
import { entryOf } from '../../../../dev/build/commands.ts';
import { loadTemplate, PROJECT_ROOT, tableCreateInput } from '../../../../dev/build/template.ts';
import { type RunningDynalite, startDynalite } from '../../../../dev/local-stack/dynalite.ts';
import { replayLeafOf } from '../../../../scripts/replay/announce.ts';
import { failureLinesFromLogGroup } from '../../../../scripts/replay/replay.ts';
import { closedEndpoint } from '../../../helpers/closed-port.ts';
import { lambdaContext, sampleEvent, useLocalAwsEnvironment } from '../../../helpers/events.ts';
import { useMoto } from '../../../helpers/moto.ts';

useLocalAwsEnvironment();

describe('npm run replay', () => {
  let engine: RunningDynalite;
  let doc: DynamoDBDocumentClient;
  let scratch: string;
  const lines: string[] = [];
  let tableNumber = 0;

  before(async () => {
    engine = await startDynalite();
    process.env.AWS_ENDPOINT_URL_DYNAMODB = engine.endpoint;
    doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    scratch = mkdtempSync(join(tmpdir(), 'replay-'));
    // Real failure records: the handler writing to a table that does not exist (ResourceNotFoundException).
    const handler = createPostAuthenticationHandler({
      configResult: readConfig({ TABLE_NAME: 'missing-table' }),
      writeItem: createHistoryWriter(createHistoryClient(), 'missing-table'),
      log: (_level, record) => lines.push(JSON.stringify(record)),
    });
    for (let i = 0; i < 6; i++) {
      const event = sampleEvent();
      event.request.userAttributes.sub = `replayed-${i}`;
      await handler(event, lambdaContext(`req-replay-${i}`));
    }
    assert.equal(lines.length, 6);
  });

  after(async () => {
    doc?.destroy();
    await engine?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function newTable(): Promise<string> {
    const name = `replay-target-${++tableNumber}`;
    await doc.send(new CreateTableCommand(tableCreateInput(loadTemplate(), name)));
    return name;
  }

  const scan = async (table: string) => (await doc.send(new ScanCommand({ TableName: table }))).Items ?? [];
  /** The sign-ins in the table, without replay's own announcements (the '#replays' partition). */
  const items = async (table: string) => (await scan(table)).filter((i) => i.sub !== REPLAY_PARTITION);
  /** The leaves replay announced before it wrote (verify-trail explains late items with them). */
  const announced = async (table: string) =>
    new Set(
      (await scan(table)).filter((i) => i.sub === REPLAY_PARTITION).flatMap((i) => i.leaves as string[]),
    );

  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    new Promise<{ code: number; out: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', entryOf('replay'), ...args],
        { cwd: PROJECT_ROOT, env: { ...process.env, NODE_NO_WARNINGS: '1', ...env } },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` }),
      );
    });

  it('inserts every record of an exported file once, whatever the log wrapping; twice adds nothing', async () => {
    const table = await newTable();
    const [a, b, c, d, e, f] = lines as [string, string, string, string, string, string];
    const file = join(scratch, 'export.log');
    writeFileSync(
      file,
      [
        'START RequestId: req-replay-0 Version: $LATEST',
        a,
        JSON.stringify({ timestamp: '2026-11-26T00:00:00Z', level: 'ERROR', requestId: 'x', message: b }),
        `2026-11-26T00:00:00.000Z\treq-replay-2\tERROR\t${c}`,
        d,
        e,
        f,
        f, // the same record exported twice
      ].join('\n'),
    );

    const dry = await cli(['--file', file, '--table-name', table, '--dry-run']);
    assert.equal(dry.code, 0, dry.out);
    assert.match(dry.out, /would insert: 7, already present: 0, unreadable: 0/);
    assert.equal((await scan(table)).length, 0, 'a dry run writes nothing, not even an announcement');

    // Three writer processes the first time, one in-process writer the second: the same outcome.
    const first = await cli(['--file', file, '--table-name', table, '--workers', '3']);
    assert.equal(first.code, 0, first.out);
    assert.match(first.out, /inserted: 6, already present: 1, unreadable: 0/);
    const stored = await items(table);
    assert.deepEqual(stored.map((i) => i.sub).sort(), [
      'replayed-0',
      'replayed-1',
      'replayed-2',
      'replayed-3',
      'replayed-4',
      'replayed-5',
    ]);
    const original = JSON.parse(a).item;
    assert.deepEqual(
      stored.find((i) => i.sub === 'replayed-0'),
      original,
      'the item is exactly the one logged',
    );
    // Every item replay put was announced first, as the replay role alone may (the '#replays' partition).
    const leaves = await announced(table);
    for (const item of stored) assert.ok(leaves.has(replayLeafOf(item as LoginHistoryItem)), item.sub);

    const second = await cli(['--file', file, '--table-name', table, '--workers', '1']);
    assert.match(second.out, /inserted: 0, already present: 7, unreadable: 0/);
    assert.equal((await items(table)).length, 6);
  });

  it('reports unreadable records and exits 1, inserting the readable ones', async () => {
    const table = await newTable();
    const file = join(scratch, 'damaged.log');
    writeFileSync(file, [lines[0], (lines[1] as string).slice(0, 80)].join('\n'));
    const result = await cli(['--file', file, '--table-name', table]);
    assert.equal(result.code, 1);
    assert.match(result.out, /inserted: 1, already present: 0, unreadable: 1/);
    assert.match(result.out, /unreadable .*damaged\.log:2/);
  });

  it('a missing table is one line and exit 1, not a failure per record; a folder as --file is said in words', async () => {
    const file = join(scratch, 'to-missing.log');
    writeFileSync(file, lines.join('\n'));
    const missing = await cli(['--file', file, '--table-name', 'no-such-table']);
    assert.equal(missing.code, 1);
    assert.equal(
      missing.out.trim(),
      'error: table no-such-table does not exist (check --table-name / --stack-name and --region); nothing was inserted',
    );
    const folder = await cli(['--file', scratch, '--table-name', 'no-such-table']);
    assert.equal(folder.code, 1);
    assert.equal(folder.out.trim(), `error: --file ${scratch} is a folder, not a file`);
    const absent = await cli(['--file', join(scratch, 'absent.log'), '--table-name', 'no-such-table']);
    assert.match(absent.out, /--file .*absent\.log does not exist/);
  });

  it('exits 2 on a usage error', async () => {
    const result = await cli(['--file', 'x.log']);
    assert.equal(result.code, 2);
    assert.match(result.out, /give exactly one of --table-name, --stack-name/);
    const badWorkers = await cli(['--file', 'x.log', '--table-name', 't', '--workers', '0']);
    assert.equal(badWorkers.code, 2);
    assert.match(badWorkers.out, /--workers must be 1 to 16/);
  });

  describe('from CloudWatch Logs on moto', () => {
    const motoFor = useMoto();

    it('runs as the replay role (--role-arn), in every writer thread; without STS it writes nothing', async (t) => {
      const moto = motoFor.ready(t);
      if (!moto) return;
      // A proxy in front of dynalite that notes the access key each DynamoDB request is signed with.
      const keys = new Set<string>();
      const proxy = createServer((req, res) => {
        keys.add(/Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '(unsigned)');
        const upstream = request(
          `${engine.endpoint}${req.url}`,
          { method: req.method, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        req.pipe(upstream);
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      try {
        const table = await newTable();
        const file = join(scratch, 'as-role.log');
        writeFileSync(file, lines.join('\n'));
        const role = 'arn:aws:iam::123456789012:role/login-history-ReplayRole-TEST';
        const env = {
          AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
          AWS_ENDPOINT_URL_STS: moto.endpoint,
        };
        // STS does not answer: a network problem naming the endpoint, not a missing permission.
        const sts = await closedEndpoint();
        const noSts = await cli(['--file', file, '--table-name', table, '--role-arn', role], {
          ...env,
          AWS_ENDPOINT_URL_STS: sts,
        });
        assert.equal(noSts.code, 1, noSts.out);
        assert.equal(
          noSts.out.trim(),
          `error: cannot assume ${role}: cannot reach the AWS endpoint ${sts} (AWS_ENDPOINT_URL_STS): nothing accepts connections there; a network or endpoint problem, not a wrong name: check the network, --region and any AWS_ENDPOINT_URL_* variable`,
        );
        assert.doesNotMatch(noSts.out, /sts:AssumeRole|ECONNREFUSED/);
        assert.equal((await items(table)).length, 0);

        const asRole = await cli(
          ['--file', file, '--table-name', table, '--role-arn', role, '--workers', '2'],
          env,
        );
        assert.equal(asRole.code, 0, asRole.out);
        assert.match(asRole.out, /inserted: 6, already present: 0, unreadable: 0/);
        // moto issues temporary keys (ASIA…) for the role's session; the caller's own key never writes.
        assert.ok(keys.size > 0);
        for (const key of keys) assert.match(key, /^ASIA/, `a DynamoDB request signed with ${key}`);
      } finally {
        await new Promise((resolve) => proxy.close(resolve));
      }
    });

    it('reads the log group with FilterLogEvents across streams and pages, and inserts idempotently', async (t) => {
      const moto = motoFor.ready(t);
      if (!moto) return;
      const logs = new CloudWatchLogsClient({ endpoint: moto.endpoint });
      const group = '/aws/lambda/login-history-test';
      await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
      const now = Date.now();
      for (const [s, stream] of ['2026/11/26/[$LATEST]a', '2026/11/26/[$LATEST]b'].entries()) {
        await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
        await logs.send(
          new PutLogEventsCommand({
            logGroupName: group,
            logStreamName: stream,
            logEvents: [
              { timestamp: now - 1000, message: 'START RequestId: x Version: $LATEST' },
              ...lines.slice(s * 3, s * 3 + 3).map((message, i) => ({ timestamp: now - 900 + i, message })),
            ],
          }),
        );
      }
      logs.destroy();
      const table = await newTable();
      const env = { AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: moto.endpoint };
      const first = await cli(['--log-group', group, '--since', '1h', '--table-name', table], env);
      assert.equal(first.code, 0, first.out);
      assert.match(first.out, /inserted: 6, already present: 0, unreadable: 0/);
      const second = await cli(['--log-group', group, '--since', '1h', '--table-name', table], env);
      assert.match(second.out, /inserted: 0, already present: 6, unreadable: 0/);
      assert.equal((await items(table)).length, 6);

      // FilterLogEvents pages: two records a page, three pages, each record read once.
      const paged = new CloudWatchLogsClient({ endpoint: moto.endpoint });
      const firstPage = await paged.send(
        new FilterLogEventsCommand({
          logGroupName: group,
          filterPattern: '"LOGIN_HISTORY_WRITE_FAILED"',
          limit: 2,
        }),
      );
      assert.equal(firstPage.events?.length, 2);
      assert.ok(firstPage.nextToken, 'the emulator pages, so the loop is exercised');
      const sources: string[] = [];
      for await (const line of failureLinesFromLogGroup(paged, group, now - 3_600_000, 2))
        sources.push(line.source);
      paged.destroy();
      assert.equal(sources.length, 6);
      assert.equal(new Set(sources).size, 6);
    });
  });
});

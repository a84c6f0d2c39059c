/**
 * The auth-events handler's paths, driven through the real writer with a mocked client (failures a real
 * engine cannot produce on demand) and a real client against a black-hole socket (the time budget). The
 * rule: an event is recorded, or deliberately skipped, or the invocation fails so that Lambda retries and
 * then hands it to the dead-letter queue. Never a silent return without a record.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mockClient } from 'aws-sdk-client-mock';
import { readAuthEventsConfig } from '../../../authenticated/src/auth-events-config.ts';
import { createJsonLineLogger } from '../../../authenticated/src/log.ts';
import {
  ALREADY_RECORDED,
  CONFIG_INVALID,
  createAuthEventHandler,
  RECORDED,
  REJECTED,
  RESPONSE_RESERVE_MS,
  SKIPPED,
  WRITE_FAILED,
} from '../../../authenticated/src/record-auth-event.ts';
import {
  createAuthEventsClient,
  createAuthEventWriter,
} from '../../../authenticated/src/write-auth-event.ts';
import { APP_CLIENT_ID, loadCorpus, POOL_ID } from '../../helpers/cloudtrail-corpus.ts';
import { captureLogs, lambdaContext, useLocalAwsEnvironment } from '../../helpers/events.ts';
import { useSilentDynamoDbEndpoint } from '../../helpers/silent-endpoint.ts';

useLocalAwsEnvironment();
const corpus = loadCorpus();
const ENV = {
  TABLE_NAME: 'auth-events',
  USER_POOL_ID: POOL_ID,
  CLIENT_IDS: APP_CLIENT_ID,
  RETENTION_DAYS: '30',
};

function awsError(name: string, message = name) {
  return Object.assign(new Error(message), { name, $metadata: {}, $fault: 'client' });
}

function setup(env: Record<string, string> = ENV) {
  const client = createAuthEventsClient();
  const mock = mockClient(client);
  const logs = captureLogs();
  const handler = createAuthEventHandler({
    configResult: readAuthEventsConfig(env),
    writeItem: createAuthEventWriter(client, env.TABLE_NAME ?? ''),
    log: logs.log,
  });
  return { mock, logs, handler };
}

describe('auth-events handler', () => {
  it('writes a failed attempt once, never overwriting, and logs it at INFO with its source IP only', async () => {
    const { mock, logs, handler } = setup();
    mock.onAnyCommand().resolves({});
    await handler(corpus['password-wrong-password'], lambdaContext('req-1', 10_000));
    assert.equal(mock.calls().length, 1);
    const input = mock.call(0).args[0].input as {
      TableName?: string;
      ConditionExpression?: string;
      Item?: Record<string, unknown>;
    };
    assert.equal(input?.TableName, 'auth-events');
    assert.equal(input?.ConditionExpression, 'attribute_not_exists(pk)');
    assert.equal(input?.Item?.outcome, 'failure');
    const [line] = logs.lines;
    assert.deepEqual(
      [line?.level, line?.record.code, line?.record.outcome, line?.record.sourceIp],
      ['info', RECORDED, 'failure', '203.0.113.10'],
    );
    const text = JSON.stringify(logs.lines);
    assert.doesNotMatch(text, /Mozilla|97446a08/, 'no user agent, no sub in the log');
  });

  it('logs a successful sign-in at DEBUG (no log cost per sign-in by default)', async () => {
    const { mock, logs, handler } = setup();
    mock.onAnyCommand().resolves({});
    await handler(corpus['srp-success'], lambdaContext('req-2', 10_000));
    assert.deepEqual(
      logs.lines.map((l) => [l.level, l.record.code]),
      [['debug', RECORDED]],
    );
  });

  it('treats the same event delivered again as success (EventBridge delivers at least once)', async () => {
    const { mock, logs, handler } = setup();
    mock
      .onAnyCommand()
      .rejects(awsError('ConditionalCheckFailedException', 'The conditional request failed'));
    await handler(corpus['password-lockout'], lambdaContext('req-3', 10_000));
    assert.deepEqual(logs.codes(), [ALREADY_RECORDED]);
  });

  for (const [name, error] of [
    ['throttling', awsError('ThrottlingException', 'Rate of requests exceeds the allowed throughput.')],
    ['access denied', awsError('AccessDeniedException', 'not authorized to perform: dynamodb:PutItem')],
    ['missing table', awsError('ResourceNotFoundException', 'Requested resource not found')],
  ] as const) {
    it(`fails the invocation on ${name}, so Lambda retries and then dead-letters the event`, async () => {
      const { mock, logs, handler } = setup();
      mock.onAnyCommand().rejects(error);
      await assert.rejects(handler(corpus['mfa-wrong-code'], lambdaContext('req-4', 10_000)), {
        name: error.name,
      });
      const failure = logs.lines.find((l) => l.record.code === WRITE_FAILED);
      assert.equal(failure?.level, 'error');
      assert.equal(failure?.record.eventId, corpus['mfa-wrong-code'].detail.eventID);
    });
  }

  it('skips what the rule should not have sent (refresh, other pool) without writing', async () => {
    const { mock, logs, handler } = setup();
    mock.onAnyCommand().resolves({});
    await handler(corpus['refresh-token-auth'], lambdaContext('req-5', 10_000));
    await handler(corpus['other-pool-client'], lambdaContext('req-6', 10_000));
    assert.equal(mock.calls().length, 0);
    assert.deepEqual(
      logs.lines.map((l) => [l.level, l.record.code, l.record.reason]),
      [
        ['warn', SKIPPED, 'AUTH_EVENT_REFRESH'],
        ['warn', SKIPPED, 'AUTH_EVENT_OTHER_POOL'],
      ],
    );
  });

  it('fails a malformed event without writing, so it lands in the dead-letter queue', async () => {
    const { mock, logs, handler } = setup();
    mock.onAnyCommand().resolves({});
    await assert.rejects(
      handler(corpus['malformed-event-time'], lambdaContext('req-7', 10_000)),
      /AUTH_EVENT_BAD_TIME/,
    );
    assert.equal(mock.calls().length, 0);
    assert.deepEqual(logs.codes(), [REJECTED]);
  });

  it('fails every event under an invalid configuration, naming each problem', async () => {
    const { mock, logs, handler } = setup({
      TABLE_NAME: 'x',
      USER_POOL_ID: 'nope',
      CLIENT_IDS: ' , ',
      RETENTION_DAYS: '-1',
    });
    mock.onAnyCommand().resolves({});
    await assert.rejects(
      handler(corpus['password-success'], lambdaContext('req-8', 10_000)),
      /invalid configuration/,
    );
    assert.equal(mock.calls().length, 0);
    const problems = logs.lines.find((l) => l.record.code === CONFIG_INVALID)?.record.problems as string[];
    assert.equal(problems.length, 4);
    assert.match(
      problems.join('\n'),
      /TABLE_NAME.*\n.*USER_POOL_ID.*\n.*CLIENT_IDS is empty.*\n.*RETENTION_DAYS/,
    );
  });
});

describe('JSON-line logger', () => {
  it('writes one top-level JSON object per line with level and timestamp, honouring the level', () => {
    const lines: string[] = [];
    const log = createJsonLineLogger('INFO', (line) => lines.push(line));
    log('debug', { code: 'X', message: 'hidden' });
    log('info', { code: RECORDED, message: 'm', outcome: 'failure', sourceIp: '192.0.2.1' });
    assert.equal(lines.length, 1);
    assert.ok(lines[0]?.endsWith('\n'));
    const record = JSON.parse(lines[0] ?? '');
    assert.equal(record.level, 'INFO');
    assert.ok(Number.isFinite(Date.parse(record.timestamp)));
    assert.deepEqual([record.code, record.outcome, record.sourceIp], [RECORDED, 'failure', '192.0.2.1']);
  });
});

describe('time budget against a DynamoDB endpoint that never answers', () => {
  useSilentDynamoDbEndpoint();

  it('fails before the Lambda timeout (a logged, retried failure, not a silent timeout)', async () => {
    const logs = captureLogs();
    const handler = createAuthEventHandler({
      configResult: readAuthEventsConfig(ENV),
      writeItem: createAuthEventWriter(createAuthEventsClient(), 'auth-events'),
      log: logs.log,
    });
    const context = lambdaContext('req-hole', 1500);
    await assert.rejects(handler(corpus['password-wrong-password'], context), { name: 'WriteTimeoutError' });
    const left = context.getRemainingTimeInMillis();
    assert.ok(left > 0, `failed ${-left} ms after the Lambda timeout`);
    assert.ok(
      left > RESPONSE_RESERVE_MS - 150,
      `only ${left} ms left of the ${RESPONSE_RESERVE_MS} ms reserve`,
    );
    assert.equal(
      logs.lines.find((l) => l.record.code === WRITE_FAILED)?.record.errorName,
      'WriteTimeoutError',
    );
  });
});

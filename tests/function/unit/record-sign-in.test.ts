/**
 * The failure policy, driven through the real writer with a mocked client (failures a real engine
 * cannot produce on demand) and a real client against a black-hole socket (the time budget).
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { mockClient } from 'aws-sdk-client-mock';
import { WRITE_FAILED } from '#contract';
import { readConfig } from '../../../authenticated/src/config.ts';
import {
  createPostAuthenticationHandler,
  DENY_EVENT_MESSAGE,
  DENY_MESSAGE,
  EVENT_REJECTED,
  RESPONSE_RESERVE_MS,
} from '../../../authenticated/src/record-sign-in.ts';
import { createHistoryClient, createHistoryWriter } from '../../../authenticated/src/write-history.ts';
import { captureLogs, lambdaContext, sampleEvent, useLocalAwsEnvironment } from '../../helpers/events.ts';
import { useSilentDynamoDbEndpoint } from '../../helpers/silent-endpoint.ts';

useLocalAwsEnvironment();

function awsError(name: string, message = name) {
  return Object.assign(new Error(message), { name, $metadata: {}, $fault: 'client' });
}

function setup(policy: 'allow' | 'deny', env: Record<string, string> = { TABLE_NAME: 'history' }) {
  const client = createHistoryClient();
  const mock = mockClient(client);
  const logs = captureLogs();
  const handler = createPostAuthenticationHandler({
    configResult: readConfig({ ...env, ON_WRITE_FAILURE: policy }),
    writeItem: createHistoryWriter(client, env.TABLE_NAME ?? ''),
    log: logs.log,
  });
  return { mock, logs, handler };
}

describe('failure policy', () => {
  it('writes once with a condition that forbids overwriting, and returns the same event', async () => {
    const { mock, logs, handler } = setup('allow');
    mock.onAnyCommand().resolves({});
    const event = sampleEvent();
    const before = structuredClone(event);
    const result = await handler(event, lambdaContext('req-ok'));
    assert.equal(result, event);
    assert.deepEqual(result, before, 'the event is returned unchanged');
    assert.equal(mock.calls().length, 1);
    const input = mock.call(0).args[0].input as Record<string, unknown>;
    assert.equal(input.TableName, 'history');
    assert.equal(input.ConditionExpression, 'attribute_not_exists(#sub)');
    assert.deepEqual(logs.codes(), ['LOGIN_HISTORY_WRITTEN']);
  });

  for (const [name, error] of [
    ['throttling', awsError('ThrottlingException', 'Rate of requests exceeds the allowed throughput.')],
    ['provisioned throughput', awsError('ProvisionedThroughputExceededException')],
    ['access denied', awsError('AccessDeniedException', 'not authorized to perform: dynamodb:PutItem')],
    ['missing table', awsError('ResourceNotFoundException', 'Requested resource not found')],
  ] as const) {
    it(`allow: ${name} lets the sign-in through and logs the complete item for replay`, async () => {
      const { mock, logs, handler } = setup('allow');
      mock.onAnyCommand().rejects(error);
      const event = sampleEvent();
      assert.equal(await handler(event, lambdaContext(`req-${name}`)), event);
      const failure = logs.lines.find((l) => l.record.code === WRITE_FAILED);
      assert.ok(failure, 'a failure record is logged');
      assert.equal(failure.level, 'error');
      assert.equal(failure.record.errorName, error.name);
      const item = failure.record.item as Record<string, unknown>;
      assert.equal(item.sub, event.request.userAttributes.sub);
      assert.equal(item.email, event.request.userAttributes.email);
      assert.equal(item.requestId, `req-${name}`);
      assert.equal(typeof item.signInId, 'string');
    });

    it(`deny: ${name} fails the sign-in with a message the app can show`, async () => {
      const { mock, logs, handler } = setup('deny');
      mock.onAnyCommand().rejects(error);
      await assert.rejects(handler(sampleEvent(), lambdaContext('req-deny')), { message: DENY_MESSAGE });
      assert.ok(logs.codes().includes(WRITE_FAILED), 'the item is logged even when the sign-in is denied');
    });
  }

  it('treats a conditional-check failure as this sign-in already recorded (duplicate delivery)', async () => {
    const { mock, logs, handler } = setup('deny');
    mock
      .onAnyCommand()
      .rejects(awsError('ConditionalCheckFailedException', 'The conditional request failed'));
    const event = sampleEvent();
    assert.equal(await handler(event, lambdaContext('req-dup')), event);
    assert.deepEqual(logs.codes(), ['LOGIN_HISTORY_ALREADY_RECORDED']);
  });

  it('invalid configuration: no write attempted, item logged, sign-in allowed', async () => {
    const { mock, logs, handler } = setup('allow', { TABLE_NAME: '' });
    mock.onAnyCommand().resolves({});
    const event = sampleEvent();
    assert.equal(await handler(event, lambdaContext('req-cfg')), event);
    assert.equal(mock.calls().length, 0);
    const failure = logs.lines.find((l) => l.record.code === WRITE_FAILED);
    assert.match(String(failure?.record.errorMessage), /TABLE_NAME is not set/);
    assert.equal(failure?.record.errorName, 'ConfigurationError');
  });

  it('invalid configuration with deny: no write attempted, item logged, sign-in denied', async () => {
    const { mock, logs, handler } = setup('deny', { TABLE_NAME: '' });
    mock.onAnyCommand().resolves({});
    await assert.rejects(handler(sampleEvent(), lambdaContext('req-cfg-deny')), { message: DENY_MESSAGE });
    assert.equal(mock.calls().length, 0);
    assert.deepEqual(logs.codes(), [WRITE_FAILED]);
  });

  it('allow: an unrecognised event is logged without attribute values and returned', async () => {
    const { mock, logs, handler } = setup('allow');
    const event = { ...sampleEvent(), triggerSource: 'PreSignUp_SignUp' } as unknown as ReturnType<
      typeof sampleEvent
    >;
    assert.equal(await handler(event, lambdaContext('req-x')), event);
    assert.equal(mock.calls().length, 0);
    assert.deepEqual(logs.codes(), [EVENT_REJECTED]);
    assert.doesNotMatch(JSON.stringify(logs.lines), /demo-with-mfa@example\.com/);
  });

  it('deny: an unrecognised event fails the sign-in with a clear message', async () => {
    const { handler } = setup('deny');
    const event = { ...sampleEvent(), userPoolId: undefined } as unknown as ReturnType<typeof sampleEvent>;
    await assert.rejects(handler(event, lambdaContext('req-y')), { message: DENY_EVENT_MESSAGE });
  });

  it('routine log lines carry identifiers, never the email', async () => {
    const { mock, logs, handler } = setup('allow');
    mock.onAnyCommand().resolves({});
    await handler(sampleEvent(), lambdaContext('req-pii'));
    const line = JSON.stringify(logs.lines);
    assert.doesNotMatch(line, /@example\.com/);
    assert.match(line, /97446a08-1071-7008-8a0b-abb8cc5d9bab/);
    assert.match(line, /ap-northeast-1_AbCdEf123/);
  });
});

describe('time budget against a DynamoDB endpoint that never answers', () => {
  useSilentDynamoDbEndpoint();

  let logs: ReturnType<typeof captureLogs>;
  beforeEach(() => {
    logs = captureLogs();
  });

  for (const policy of ['allow', 'deny'] as const) {
    it(`${policy}: answers before the Lambda timeout, keeping the response reserve`, async () => {
      const handler = createPostAuthenticationHandler({
        configResult: readConfig({ TABLE_NAME: 'history', ON_WRITE_FAILURE: policy }),
        writeItem: createHistoryWriter(createHistoryClient(), 'history'),
        log: logs.log,
      });
      const timeoutMs = 1500;
      const context = lambdaContext(`req-hole-${policy}`, timeoutMs);
      const outcome = handler(sampleEvent(), context).then(
        () => 'returned',
        (error: Error) => error.message,
      );
      const result = await outcome;
      const left = context.getRemainingTimeInMillis();
      assert.equal(result, policy === 'allow' ? 'returned' : DENY_MESSAGE);
      assert.ok(left > 0, `answered ${-left} ms after the Lambda timeout`);
      assert.ok(
        left > RESPONSE_RESERVE_MS - 150,
        `only ${left} ms left of the ${RESPONSE_RESERVE_MS} ms reserve`,
      );
      const failure = logs.lines.find((l) => l.record.code === WRITE_FAILED);
      assert.equal(failure?.record.errorName, 'WriteTimeoutError');
    });
  }
});

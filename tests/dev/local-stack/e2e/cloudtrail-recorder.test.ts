/**
 * The local stack's CloudTrail recorder in front of cognito-local: each user-pool API call, success or
 * failure, becomes the CloudTrail event AWS documents (secrets hidden, errorCode on failure, sub when the
 * user exists, the caller's address as sourceIPAddress) in EventBridge's envelope, and the function's own
 * mapping turns it into the record the reader shows. Delivery is retried and never dropped silently.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AdminInitiateAuthCommand,
  CognitoIdentityProviderClient,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { buildAuthEventItem } from '../../../../authenticated/src/auth-event-record.ts';
import {
  CloudTrailRecorder,
  type EventBridgeEnvelope,
  HIDDEN,
} from '../../../../dev/local-stack/cloudtrail-recorder.ts';
import { type RunningCognitoLocal, startCognitoLocal } from '../../../../dev/local-stack/cognito-local.ts';
import { localClientConfig } from '../../../../dev/local-stack/local-clients.ts';
import {
  createPoolWithClient,
  createUser,
  type DemoUser,
  enableTotpMfa,
  initiatePasswordAuth,
  realisticPoolInput,
  signIn,
} from '../../../../dev/local-stack/user-pool-fixtures.ts';

describe('CloudTrail recorder in front of cognito-local', () => {
  let dataDir: string;
  let cognitoLocal: RunningCognitoLocal;
  let recorder: CloudTrailRecorder;
  let failDeliveries = 0;
  const delivered: EventBridgeEnvelope[] = [];
  let pool: Awaited<ReturnType<typeof createPoolWithClient>>;
  let alice: DemoUser & { sub: string };
  let mfaUser: DemoUser & { sub: string };

  /** A client of the recorder whose connections come from `address` (any 127.x.y.z is loopback). */
  const clientFrom = (address = '127.0.0.1') =>
    new CognitoIdentityProviderClient({
      ...localClientConfig(recorder.endpoint),
      requestHandler: { httpAgent: new Agent({ localAddress: address }) },
    });

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'recorder-'));
    cognitoLocal = await startCognitoLocal({ dataDir });
    recorder = await new CloudTrailRecorder({
      upstream: cognitoLocal.endpoint,
      account: '123456789012',
      deliver: async (event) => {
        if (failDeliveries > 0) {
          failDeliveries--;
          throw new Error('function error');
        }
        delivered.push(event);
      },
    }).start();
    const setup = new CognitoIdentityProviderClient(localClientConfig(cognitoLocal.endpoint));
    pool = await createPoolWithClient(setup, realisticPoolInput('recorder'));
    alice = await createUser(setup, pool.poolId, 'alice', 'Correct-Horse-42', { email: 'alice@example.com' });
    mfaUser = await createUser(setup, pool.poolId, 'mallory', 'Correct-Horse-42');
    await enableTotpMfa(setup, pool.clientId, mfaUser);
    setup.destroy();
  });
  after(async () => {
    await recorder?.stop();
    await cognitoLocal?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** Runs `calls`, waits for their events, and returns those events. */
  async function eventsOf(calls: () => Promise<unknown>) {
    const from = recorder.events.length;
    await calls();
    await recorder.drain();
    return recorder.events.slice(from);
  }
  const recordOf = (event: EventBridgeEnvelope) => {
    const result = buildAuthEventItem(event, {
      userPoolId: pool.poolId,
      clientIds: [pool.clientId],
      retentionDays: 0,
    });
    assert.equal(result.kind, 'record', JSON.stringify(result));
    return (result as unknown as { item: Record<string, unknown> }).item;
  };

  it('a successful sign-in: the documented event, secrets hidden, the sub from the tokens', async () => {
    const cognito = clientFrom();
    const [event] = await eventsOf(() => signIn(cognito, pool.clientId, alice));
    cognito.destroy();
    assert.ok(event);
    assert.equal(event['detail-type'], 'AWS API Call via CloudTrail');
    assert.equal(event.source, 'aws.cognito-idp');
    assert.equal(event.account, '123456789012');
    const d = event.detail as Record<string, any>;
    assert.equal(d.eventSource, 'cognito-idp.amazonaws.com');
    assert.equal(d.eventName, 'InitiateAuth');
    assert.equal(d.eventType, 'AwsApiCall');
    assert.equal(d.managementEvent, true);
    assert.equal(d.readOnly, false);
    assert.equal(d.recipientAccountId, '123456789012');
    assert.deepEqual(d.userIdentity, { type: 'Unknown', principalId: 'Anonymous' });
    assert.match(d.eventTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.match(d.eventID, /^[0-9a-f-]{36}$/);
    assert.equal(d.sourceIPAddress, '127.0.0.1');
    assert.match(d.userAgent, /aws-sdk-js/);
    assert.equal(d.requestParameters.authParameters, HIDDEN);
    assert.equal(d.requestParameters.clientId, pool.clientId);
    assert.equal(d.requestParameters.authFlow, 'USER_PASSWORD_AUTH');
    assert.equal(d.errorCode, undefined);
    assert.equal(d.responseElements.authenticationResult.idToken, HIDDEN);
    assert.deepEqual(d.additionalEventData, { sub: alice.sub });
    assert.ok(!JSON.stringify(event).includes(alice.password), 'the password never appears');
    assert.ok(!JSON.stringify(event).includes('"alice"'), 'nor the username');
    const record = recordOf(event);
    assert.equal(record.outcome, 'success');
    assert.equal(record.sub, alice.sub);
    assert.equal(record.sourceIp, '127.0.0.1');
  });

  it("a wrong password: errorCode and errorMessage, the user's sub, the caller's own address", async () => {
    const cognito = clientFrom('127.0.0.23');
    const [event] = await eventsOf(() =>
      assert.rejects(
        initiatePasswordAuth(cognito, pool.clientId, 'alice', 'wrong-password'),
        // cognito-local's answer; the event says what Cognito would (NotAuthorizedException).
        { name: 'InvalidPasswordException' },
      ),
    );
    cognito.destroy();
    assert.ok(event);
    const d = event.detail as Record<string, any>;
    assert.equal(d.errorCode, 'NotAuthorizedException');
    assert.equal(d.errorMessage, 'Incorrect username or password.');
    assert.equal(d.responseElements, null);
    assert.equal(d.sourceIPAddress, '127.0.0.23');
    assert.deepEqual(d.additionalEventData, { sub: alice.sub });
    assert.ok(!JSON.stringify(event).includes('wrong-password'));
    const record = recordOf(event);
    assert.deepEqual(
      [record.outcome, record.errorCode, record.sub, record.sourceIp],
      ['failure', 'NotAuthorizedException', alice.sub, '127.0.0.23'],
    );
  });

  it('an unknown user: a failure without a sub', async () => {
    const cognito = clientFrom();
    const [event] = await eventsOf(() =>
      assert.rejects(initiatePasswordAuth(cognito, pool.clientId, 'nobody', 'whatever-1A')),
    );
    cognito.destroy();
    assert.ok(event);
    const record = recordOf(event);
    assert.equal(record.outcome, 'failure');
    assert.match(String(record.errorCode), /^(UserNotFoundException|NotAuthorizedException)$/);
    assert.equal(record.sub, undefined);
  });

  it('a wrong MFA code: RespondToAuthChallenge with CodeMismatchException and the sub', async () => {
    const cognito = clientFrom();
    const events = await eventsOf(async () => {
      const first = await initiatePasswordAuth(cognito, pool.clientId, mfaUser.username, mfaUser.password);
      assert.equal(first.ChallengeName, 'SOFTWARE_TOKEN_MFA');
      await assert.rejects(
        cognito.send(
          new RespondToAuthChallengeCommand({
            ClientId: pool.clientId,
            ChallengeName: 'SOFTWARE_TOKEN_MFA',
            Session: first.Session,
            ChallengeResponses: { USERNAME: mfaUser.username, SOFTWARE_TOKEN_MFA_CODE: '000000' },
          }),
        ),
        { name: 'CodeMismatchException' },
      );
    });
    cognito.destroy();
    assert.deepEqual(
      events.map((e) => [e.detail.eventName, e.detail.errorCode]),
      [
        ['InitiateAuth', undefined],
        ['RespondToAuthChallenge', 'CodeMismatchException'],
      ],
    );
    const d = events[1]!.detail as Record<string, any>;
    assert.equal(d.requestParameters.challengeResponses, HIDDEN);
    assert.equal(d.requestParameters.session, HIDDEN);
    assert.deepEqual(d.additionalEventData, { sub: mfaUser.sub });
    assert.equal(recordOf(events[1]!).outcome, 'failure');
  });

  it('an Admin* call from a backend: signed by an IAM identity, the pool named', async () => {
    const cognito = clientFrom();
    const [event] = await eventsOf(() =>
      assert.rejects(
        cognito.send(
          new AdminInitiateAuthCommand({
            UserPoolId: pool.poolId,
            ClientId: pool.clientId,
            AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: 'alice', PASSWORD: 'wrong-password' },
          }),
        ),
      ),
    );
    cognito.destroy();
    const d = event!.detail as Record<string, any>;
    assert.equal(d.eventName, 'AdminInitiateAuth');
    assert.equal(d.userIdentity.type, 'IAMUser');
    assert.equal(d.userIdentity.accessKeyId, 'local');
    assert.equal(d.requestParameters.userPoolId, pool.poolId);
    assert.deepEqual(d.additionalEventData, { sub: alice.sub });
  });

  it('retries a failed delivery, and keeps an event it could not deliver instead of dropping it', async () => {
    const cognito = clientFrom();
    failDeliveries = 2;
    const before = delivered.length;
    await eventsOf(() => signIn(cognito, pool.clientId, alice));
    assert.equal(delivered.length, before + 1, 'delivered on the third attempt');
    failDeliveries = 3;
    const [lost] = await eventsOf(() => signIn(cognito, pool.clientId, alice));
    cognito.destroy();
    assert.equal(delivered.length, before + 1);
    assert.equal(recorder.undelivered.length, 1);
    assert.equal(recorder.undelivered[0]?.event, lost);
    assert.equal(recorder.undelivered[0]?.error, 'function error');
  });
});

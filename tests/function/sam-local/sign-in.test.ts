/**
 * The sign-in end-to-end test with the real SAM emulator in the middle: cognito-local invokes the trigger
 * through `sam local start-lambda` (warm containers, Docker), which runs the `sam build` output in the Lambda
 * Node.js 22 image (the stand-in where the real one cannot be pulled) under SAM's aws-lambda-rie. Same
 * assertions as tests/local-stack/e2e: one item per sign-in, the deny policy fails the sign-in with the
 * function's message, every answer within Cognito's 5 s.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { WRITE_FAILED } from '#contract';
import { DENY_MESSAGE } from '../../../authenticated/src/record-sign-in.ts';
import { PROJECT_ROOT } from '../../../dev/build/template.ts';
import { findTool, missingToolNotice, TOOLS } from '../../../dev/build/toolchain.ts';
import { docker as dockerCli } from '../../../dev/docker/docker-engine.ts';
import { samBuild } from '../../../dev/docker/sam-local.ts';
import { type LocalStack, startLocalStack } from '../../../dev/local-stack/local-stack.ts';
import {
  createPoolWithClient,
  createUser,
  type DemoUser,
  realisticPoolInput,
  signIn,
} from '../../../dev/local-stack/user-pool-fixtures.ts';
import { quantile } from '../../../scripts/core/generic.ts';
import { createReader, historyOfUser } from '../../../scripts/records/sign-ins.ts';
import { parseLogLine } from '../../../scripts/replay/failure-records.ts';
import { type DockerForTests, dockerForTests } from '../../helpers/docker.ts';
import { attachLocally } from '../../helpers/local-stack.ts';
import { skipBecause } from '../../helpers/skip.ts';

const PASSWORD = 'Correct-Horse-42';
const COGNITO_LIMIT_MS = 5000;

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

describe('sign-ins through the real SAM emulator (sam local start-lambda)', () => {
  let docker: DockerForTests;
  let buildDir: string | undefined;
  let template = '';

  before(async () => {
    if (!findTool(TOOLS.sam)) return;
    docker = await dockerForTests();
    if ('problem' in docker) return;
    buildDir = mkdtempSync(join(tmpdir(), 'sam-local-build-'));
    template = samBuild(buildDir);
  });
  after(async () => {
    if (docker && 'engine' in docker) await docker.engine.stop();
    if (buildDir) rmSync(buildDir, { recursive: true, force: true });
  });

  function unavailable(t: TestContext): boolean {
    if (!findTool(TOOLS.sam)) return skipBecause(t, missingToolNotice(TOOLS.sam));
    if ('problem' in docker) return skipBecause(t, `no Docker for sam local: ${docker.problem}`);
    return false;
  }

  async function stackWith(parameters: Record<string, string> = {}) {
    if (!('engine' in docker)) throw new Error('no Docker');
    const stack = await startLocalStack({
      parameters,
      samLocal: { engine: docker.engine, image: docker.image, template },
    });
    Object.assign(process.env, stack.clientEnv);
    return stack;
  }

  describe('OnWriteFailure=allow', () => {
    let stack: LocalStack | undefined;
    let cognito: CognitoIdentityProviderClient | undefined;
    after(async () => {
      cognito?.destroy();
      await stack?.stop();
    });

    it('records every sign-in exactly once, each item complete, each answer within 5 s', async (t) => {
      if (unavailable(t)) return;
      stack = await stackWith();
      cognito = new CognitoIdentityProviderClient({});
      const pool = await createPoolWithClient(cognito, realisticPoolInput('sam-local'));
      stack.grantInvoke(pool.poolArn);
      const users: (DemoUser & { sub: string })[] = [];
      for (let i = 0; i < 3; i++) {
        const email = `sam${i}@example.com`;
        users.push(await createUser(cognito, pool.poolId, email, PASSWORD, { email }));
      }
      assert.equal(await attachLocally(stack, pool.poolId), 'changed');
      const [first] = users as [DemoUser & { sub: string }];

      // The first invocation starts the runtime in the warm container (its cold start); then warm ones.
      const cold = await timed(() => signIn(cognito as CognitoIdentityProviderClient, pool.clientId, first));
      assert.ok(cold.value.AccessToken, 'the sign-in returns tokens');
      const warm: number[] = [];
      for (let i = 0; i < 12; i++) {
        const user = users[i % users.length] as DemoUser;
        warm.push(
          (await timed(() => signIn(cognito as CognitoIdentityProviderClient, pool.clientId, user))).ms,
        );
      }
      const concurrent = await Promise.allSettled(
        users.map((user) => signIn(cognito as CognitoIdentityProviderClient, pool.clientId, user)),
      );
      assert.deepEqual(
        concurrent.filter((r) => r.status === 'rejected'),
        [],
      );
      for (const ms of [cold.ms, ...warm]) assert.ok(ms < COGNITO_LIMIT_MS, `a sign-in took ${ms} ms`);
      t.diagnostic(
        `sam local start-lambda: first sign-in ${cold.ms.toFixed(0)} ms (runtime start in the warm container), ` +
          `then p50 ${quantile(warm, 0.5).toFixed(0)} ms, max ${Math.max(...warm).toFixed(0)} ms over ${warm.length}`,
      );

      // 1 + 12 + 3 sign-ins: 1 + 4 + 1 for each user, first user has the cold one on top.
      const reader = createReader();
      const counts = await Promise.all(
        users.map(async (u) => (await historyOfUser(reader, stack?.tableName as string, u.sub, 100)).length),
      );
      assert.deepEqual(counts, [6, 5, 5]);
      const [item] = await historyOfUser(reader, stack.tableName, first.sub, 1);
      assert.equal(item?.sub, first.sub);
      assert.equal(item?.userPoolId, pool.poolId);
      assert.equal(item?.clientId, pool.clientId);
      assert.equal(item?.email, 'sam0@example.com');
      assert.equal(item?.triggerSource, 'PostAuthentication_Authentication');
      const failures = (stack.sam?.output() ?? []).filter((line) => line.includes(WRITE_FAILED));
      assert.deepEqual(failures, [], 'no failure record');
    });

    it("keeps the emulator's traffic on loopback and the engine's own bridge", async (t) => {
      if (unavailable(t) || !('engine' in docker)) return;
      const { host, bridgeAddress } = docker.engine;
      // The warm container's emulator port is published on 127.0.0.1 only.
      const ports = (await dockerCli(host, ['ps', '--format', '{{.Ports}}'])).split('\n').filter(Boolean);
      assert.ok(ports.length > 0, 'the warm container runs');
      for (const line of ports) {
        for (const binding of line.split(', ')) assert.match(binding, /^127\.0\.0\.1:\d+->/, line);
      }
      // DynamoDB listens on the bridge address, not on every interface.
      assert.equal(new URL(stack?.dynamoEndpoint as string).hostname, bridgeAddress);
      const options = JSON.parse(
        await dockerCli(host, ['network', 'inspect', 'bridge', '--format', '{{json .Options}}']),
      ) as Record<string, string>;
      if (!options['com.docker.network.bridge.name']?.startsWith('lhdocker')) {
        return void t.diagnostic('a Docker engine of this machine: its bridge settings are its own');
      }
      // Our private engine: no masquerading, so containers cannot reach past the host's bridge address.
      assert.equal(options['com.docker.network.bridge.enable_ip_masquerade'], 'false');
      assert.equal(options['com.docker.network.bridge.host_binding_ipv4'], '127.0.0.1');
    });
  });

  describe('OnWriteFailure=deny, DynamoDB down', () => {
    let stack: LocalStack | undefined;
    let cognito: CognitoIdentityProviderClient | undefined;
    after(async () => {
      cognito?.destroy();
      await stack?.stop();
    });

    it("fails the sign-in with the function's message within 5 s, and logs the complete item", async (t) => {
      if (unavailable(t)) return;
      stack = await stackWith({ OnWriteFailure: 'deny' });
      cognito = new CognitoIdentityProviderClient({});
      const pool = await createPoolWithClient(cognito, realisticPoolInput('sam-local-deny'));
      stack.grantInvoke(pool.poolArn);
      const user = await createUser(cognito, pool.poolId, 'admin@example.com', PASSWORD, {
        email: 'admin@example.com',
      });
      await attachLocally(stack, pool.poolId);
      await signIn(cognito, pool.clientId, user); // warm, as in steady state
      await stack.stopDynamo();

      const outcome = await timed(() =>
        signIn(cognito as CognitoIdentityProviderClient, pool.clientId, user).then(
          () => undefined,
          (error: Error) => error,
        ),
      );
      assert.ok(outcome.ms < COGNITO_LIMIT_MS, `the sign-in took ${outcome.ms} ms`);
      assert.equal(outcome.value?.name, 'UserLambdaValidationException');
      assert.equal(outcome.value?.message, `PostAuthentication failed with error ${DENY_MESSAGE}.`);
      t.diagnostic(`denied sign-in answered in ${outcome.ms.toFixed(0)} ms`);

      const records = (stack.sam?.output() ?? [])
        .filter((line) => line.includes(WRITE_FAILED))
        .map((line) => parseLogLine(line));
      assert.equal(records.length, 1, 'exactly one failure record');
      const [record] = records;
      assert.equal(record?.kind, 'record', 'the failure record is readable by npm run replay');
      const logged = (record as { item: Record<string, unknown> }).item;
      assert.equal(logged.sub, user.sub);
      assert.equal(logged.email, 'admin@example.com');
    });

    it('our local Lambda endpoint answers and logs as the emulator does, for the same bundle and events', async (t) => {
      if (unavailable(t) || !stack?.sam) return;
      const sample = readFileSync(join(PROJECT_ROOT, 'events', 'post-authentication.json'));
      const invokeOn = async (endpoint: string, payload: Uint8Array) => {
        const client = new LambdaClient({ endpoint, maxAttempts: 1 });
        const response = await client.send(
          new InvokeCommand({ FunctionName: stack?.functionArn, Payload: payload }),
        );
        client.destroy();
        const body = JSON.parse(Buffer.from(response.Payload ?? []).toString('utf8'));
        return { status: response.StatusCode, functionError: response.FunctionError, body };
      };
      // DynamoDB is down (previous test): the deny answer; and an event that is not a sign-in.
      for (const payload of [sample, Buffer.from('{"triggerSource":"PreSignUp_SignUp"}')]) {
        const sam = await invokeOn(stack.sam.endpoint, payload);
        const ours = await invokeOn(stack.lambda.endpoint, payload);
        assert.equal(ours.status, sam.status);
        assert.equal(ours.functionError, sam.functionError);
        assert.deepEqual(Object.keys(ours.body).sort(), Object.keys(sam.body).sort());
        assert.equal(ours.body.errorType, sam.body.errorType);
        assert.equal(ours.body.errorMessage, sam.body.errorMessage);
      }
      // The failure record as each prints it: the same top-level JSON record.
      const shape = (line: string | undefined) => {
        const record = JSON.parse(line ?? '{}');
        return {
          keys: Object.keys(record).sort(),
          level: record.level,
          code: record.code,
        };
      };
      const samLine = stack.sam
        .output()
        .filter((line) => line.includes(WRITE_FAILED))
        .at(-1);
      const ourLine = stack.lambda.logs.filter((line) => line.text.includes(WRITE_FAILED)).at(-1)?.text;
      assert.deepEqual(shape(ourLine), shape(samLine));
    });
  });
});

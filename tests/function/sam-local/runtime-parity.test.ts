/**
 * Our local Lambda endpoint against SAM's emulator, for one probe function (fixtures/probe: plain JavaScript,
 * 1 s timeout, LogFormat JSON) that reports what it sees: the same environment variables and context, the
 * same error answer, the same console records, and the timeout enforced by both. Where SAM differs from AWS
 * (its timeout answer, its log group name), ours follows AWS, and the test says what SAM does.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { findTool, missingToolNotice, TOOLS } from '../../../dev/build/toolchain.ts';
import { type SamLocalLambda, startSamLocalLambda } from '../../../dev/docker/sam-local.ts';
import { LocalLambda } from '../../../dev/local-stack/local-lambda.ts';
import { type DockerForTests, dockerForTests } from '../../helpers/docker.ts';
import { skipBecause } from '../../helpers/skip.ts';

const PROBE = join(import.meta.dirname, 'fixtures', 'probe');
const NAME = 'ProbeFunction';

/** Variables Lambda defines for every Node.js function whose value does not depend on where it runs. */
const SAME_VALUE = [
  '_HANDLER',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_FORMAT',
  'AWS_LAMBDA_LOG_LEVEL',
  'LANG',
  'PROBE_SETTING',
];
/** Every variable a handler or the SDK may read: those, and the ones that name this place. */
const DEFINED = [
  ...SAME_VALUE,
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
  'TZ',
];

type Answer = { ms: number; status?: number; functionError?: string; text: string };

async function invoke(endpoint: string, event: unknown): Promise<Answer> {
  const client = new LambdaClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const started = performance.now();
  const response = await client.send(
    new InvokeCommand({ FunctionName: NAME, Payload: Buffer.from(JSON.stringify(event)) }),
  );
  client.destroy();
  return {
    ms: performance.now() - started,
    status: response.StatusCode,
    functionError: response.FunctionError,
    text: Buffer.from(response.Payload ?? []).toString('utf8'),
  };
}

describe('our local Lambda endpoint and SAM emulator, for the same probe function', () => {
  let docker: DockerForTests;
  let sam: SamLocalLambda | undefined;
  let ours: LocalLambda | undefined;
  let scratch: string;

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'runtime-parity-'));
    if (!findTool(TOOLS.sam)) return;
    docker = await dockerForTests();
    if ('problem' in docker) return;
    sam = await startSamLocalLambda({
      engine: docker.engine,
      image: docker.image,
      template: join(PROBE, 'template.yaml'),
      envVars: {},
      workDir: scratch,
    });
    // The same function as the fixture template declares it.
    ours = await new LocalLambda(
      new Map([
        [
          NAME,
          {
            name: NAME,
            modulePath: join(PROBE, 'probe.mjs'),
            handlerExport: 'handler',
            timeoutSeconds: 1,
            memoryMb: 256,
            environment: {
              PROBE_SETTING: 'from-the-template',
              AWS_LAMBDA_LOG_FORMAT: 'JSON',
              AWS_LAMBDA_LOG_LEVEL: 'INFO',
            },
          },
        ],
      ]),
    ).start();
  });
  after(async () => {
    await sam?.stop();
    await ours?.stop();
    if (docker && 'engine' in docker) await docker.engine.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  function unavailable(t: TestContext): boolean {
    if (!findTool(TOOLS.sam)) return skipBecause(t, missingToolNotice(TOOLS.sam));
    if ('problem' in docker) return skipBecause(t, `no Docker for sam local: ${docker.problem}`);
    return false;
  }

  it('a handler sees the variables Lambda defines, and the same context', async (t) => {
    if (unavailable(t) || !sam || !ours) return;
    const [fromSam, fromOurs] = await Promise.all([invoke(sam.endpoint, {}), invoke(ours.endpoint, {})]);
    const samSees = JSON.parse(fromSam.text);
    const oursSees = JSON.parse(fromOurs.text);
    for (const name of DEFINED) {
      assert.ok(name in samSees.env, `SAM sets ${name}`);
      assert.ok(name in oursSees.env, `ours sets ${name}, as SAM does`);
    }
    for (const name of SAME_VALUE) assert.equal(oursSees.env[name], samSees.env[name], name);
    for (const key of ['functionName', 'functionVersion', 'memoryLimitInMB', 'awsRequestId']) {
      assert.equal(oursSees.context[key], samSees.context[key], key);
    }
    for (const seen of [samSees, oursSees])
      assert.ok(seen.context.remainingMs > 0 && seen.context.remainingMs <= 1000);
    // SAM names the log group "aws/lambda/<name>"; Lambda (and ours) "/aws/lambda/<name>".
    assert.equal(oursSees.context.logGroupName, `/aws/lambda/${NAME}`);
    t.diagnostic(`SAM's context.logGroupName: ${samSees.context.logGroupName}`);
  });

  it('a handler error: the same status, function error and body', async (t) => {
    if (unavailable(t) || !sam || !ours) return;
    const [fromSam, fromOurs] = await Promise.all([
      invoke(sam.endpoint, { fail: true }),
      invoke(ours.endpoint, { fail: true }),
    ]);
    assert.equal(fromOurs.status, fromSam.status);
    assert.equal(fromOurs.functionError, fromSam.functionError);
    const samBody = JSON.parse(fromSam.text);
    const ourBody = JSON.parse(fromOurs.text);
    assert.deepEqual(Object.keys(ourBody).sort(), Object.keys(samBody).sort());
    assert.deepEqual([ourBody.errorType, ourBody.errorMessage], ['TypeError', 'probe failure']);
    assert.deepEqual([samBody.errorType, samBody.errorMessage], ['TypeError', 'probe failure']);
  });

  it('console output: the same JSON records, DEBUG dropped at ApplicationLogLevel INFO', async (t) => {
    if (unavailable(t) || !sam || !ours) return;
    await Promise.all([invoke(sam.endpoint, {}), invoke(ours.endpoint, {})]);
    const record = (lines: string[]) => {
      const line = lines.filter((l) => l.includes('probe info line')).at(-1);
      const parsed = JSON.parse(line ?? '{}');
      return { keys: Object.keys(parsed).sort(), level: parsed.level, message: parsed.message };
    };
    assert.deepEqual(record(ours.logs.map((l) => l.text)), record(sam.output()));
    assert.equal(sam.output().filter((l) => l.includes('probe debug line')).length, 0);
    assert.equal(ours.logs.filter((l) => l.text.includes('probe debug line')).length, 0);
  });

  it("a timeout: both end the invocation at the function's 1 s; ours answers as Lambda does", async (t) => {
    if (unavailable(t) || !sam || !ours) return;
    const [fromSam, fromOurs] = await Promise.all([
      invoke(sam.endpoint, { sleepMs: 2500 }),
      invoke(ours.endpoint, { sleepMs: 2500 }),
    ]);
    for (const answer of [fromSam, fromOurs]) {
      assert.ok(
        answer.ms >= 1000 && answer.ms < 2400,
        `ended at the timeout, not the 2.5 s sleep: ${answer.ms} ms`,
      );
    }
    assert.equal(fromOurs.functionError, 'Unhandled');
    assert.deepEqual(JSON.parse(fromOurs.text), {
      errorType: 'Sandbox.Timedout',
      errorMessage: 'Task timed out after 1.00 seconds',
    });
    // SAM: status 200, no X-Amz-Function-Error, a plain-text body (Cognito would call it invalid output).
    assert.match(fromSam.text, /Task timed out after 1\.00 seconds/);
    t.diagnostic(
      `SAM's timeout answer: status ${fromSam.status}, function error ${fromSam.functionError ?? 'none'}, body "${fromSam.text}"`,
    );
  });
});

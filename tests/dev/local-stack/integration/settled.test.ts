/**
 * What a kept-stack seal waits for before sealing up to "now" (LocalStack.settled): the local Lambda endpoint
 * is idle only once every invocation begun has answered, and the CloudTrail recorder is drained only once
 * every call it received has been answered by Cognito and its event delivered, also a call still on its way to
 * Cognito when the drain began. Without that, a record stamped before the seal could be written after it and
 * show up in verify-trail as inserted.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  CloudTrailRecorder,
  type EventBridgeEnvelope,
} from '../../../../dev/local-stack/cloudtrail-recorder.ts';
import { LocalLambda } from '../../../../dev/local-stack/local-lambda.ts';
import { closeServer, loopbackUrl } from '../../../../dev/local-stack/servers.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('LocalLambda.idle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'idle-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves at once with nothing running, and after the running invocation has done its work otherwise', async () => {
    const modulePath = join(dir, 'slow.mjs');
    const written = join(dir, 'written');
    // Like the trigger: the work (here a file instead of an item) is done just before the function answers.
    writeFileSync(
      modulePath,
      `import { writeFileSync } from 'node:fs';\nexport const handler = async () => { await new Promise((r) => setTimeout(r, 400)); writeFileSync(${JSON.stringify(written)}, 'x'); return 'done'; };\n`,
    );
    const fn = {
      name: 'slow',
      modulePath,
      handlerExport: 'handler',
      environment: {},
      timeoutSeconds: 10,
      memoryMb: 128,
    };
    const lambda = await new LocalLambda(new Map([['slow', fn]])).start();
    try {
      await lambda.idle(); // nothing running: at once
      const invocation = lambda.invoke(fn, {});
      await sleep(50);
      assert.equal(existsSync(written), false, 'the invocation is still running');
      await lambda.idle();
      assert.equal(existsSync(written), true, 'idle only once the invocation did its work');
      assert.deepEqual((await invocation).payload, 'done');
    } finally {
      await lambda.stop();
    }
  });
});

describe('CloudTrailRecorder.drain', () => {
  it('waits for a call still on its way to Cognito, then for its event', async () => {
    // A Cognito stand-in that answers after 400 ms: the call is in flight when the drain begins.
    const upstream = createServer((req, res) => {
      req.resume();
      setTimeout(() => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}'), 400);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const delivered: EventBridgeEnvelope[] = [];
    const recorder = await new CloudTrailRecorder({
      upstream: loopbackUrl(upstream),
      deliver: async (event) => {
        await sleep(100);
        delivered.push(event);
      },
    }).start();
    try {
      const call = fetch(recorder.endpoint, {
        method: 'POST',
        headers: { 'X-Amz-Target': 'AWSCognitoIdentityProviderService.ListUserPools' },
        body: '{"MaxResults":1}',
      });
      await sleep(100); // received by the recorder, still waiting for the stand-in
      await recorder.drain();
      assert.equal(delivered.length, 1, 'drained: the call answered and its event delivered');
      assert.equal(delivered[0]?.detail.eventName, 'ListUserPools');
      await call;
    } finally {
      await recorder.stop();
      await closeServer(upstream);
    }
  });
});

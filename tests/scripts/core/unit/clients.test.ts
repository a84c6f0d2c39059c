/**
 * The one configuration of the commands' AWS clients (scripts/core/clients.ts): the object it returns, and what
 * a real SDK client built from it resolves (region, credentials, attempts). No request is sent.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { STSClient } from '@aws-sdk/client-sts';
import { BULK_READ_RETRIES, CHECK_RETRIES, clientConfig } from '../../../../scripts/core/clients.ts';
import { createReader } from '../../../../scripts/records/sign-ins.ts';

/** The SDK's own chain, pinned for these tests: the environment's region and credentials, no retry settings. */
const ENVIRONMENT = {
  AWS_REGION: 'ap-southeast-2',
  AWS_ACCESS_KEY_ID: 'AKIDFROMENVIRONMENT',
  AWS_SECRET_ACCESS_KEY: 'secret-from-environment',
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_DEFAULT_REGION: undefined,
  AWS_MAX_ATTEMPTS: undefined,
  AWS_RETRY_MODE: undefined,
};
const saved = Object.fromEntries(Object.keys(ENVIRONMENT).map((k) => [k, process.env[k]]));
const setEnvironment = (values: Record<string, string | undefined>) => {
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
};

const session = {
  accessKeyId: 'ASIAROLESESSION',
  secretAccessKey: 'role-session-secret',
  sessionToken: 'role-session-token',
  expiration: new Date('2030-01-01T00:00:00Z'),
};

/** The mode of the retry strategy the SDK built (its `retryMode` setting stays as given, not resolved). */
const retryModeOf = async (client: { config: { retryStrategy(): Promise<unknown> } }) =>
  ((await client.config.retryStrategy()) as { mode?: string }).mode;

/** What a real client built with `config` resolves, as the SDK would use it for a request. */
async function resolved(config: ReturnType<typeof clientConfig>) {
  const client = new STSClient(config);
  try {
    return {
      region: await client.config.region(),
      accessKeyId: (await client.config.credentials()).accessKeyId,
      maxAttempts: await client.config.maxAttempts(),
      retryMode: await retryModeOf(client),
    };
  } finally {
    client.destroy();
  }
}

describe('clientConfig: the one configuration of every AWS client', () => {
  before(() => setEnvironment(ENVIRONMENT));
  after(() => setEnvironment(saved));

  it('a given region is the client region', async () => {
    assert.deepEqual(clientConfig('eu-west-1'), { region: 'eu-west-1' });
    assert.equal((await resolved(clientConfig('eu-west-1'))).region, 'eu-west-1');
  });

  it('no region leaves the key out, so the SDK chain picks it (never region: undefined)', async () => {
    for (const none of [undefined, '']) {
      const config = clientConfig(none);
      assert.deepEqual(config, {});
      assert.ok(!('region' in config), 'no region key at all');
      assert.equal((await resolved(config)).region, 'ap-southeast-2');
    }
  });

  it("a role session's credentials replace the chain's; without them the chain's are used", async () => {
    assert.deepEqual(clientConfig('eu-west-1', { credentials: session }), {
      region: 'eu-west-1',
      credentials: session,
    });
    assert.equal(
      (await resolved(clientConfig('eu-west-1', { credentials: session }))).accessKeyId,
      session.accessKeyId,
    );
    const config = clientConfig('eu-west-1', { credentials: undefined });
    assert.ok(!('credentials' in config));
    assert.equal((await resolved(config)).accessKeyId, 'AKIDFROMENVIRONMENT');
  });

  it('attempts and retry mode when given, the SDK defaults when not', async () => {
    assert.deepEqual(clientConfig(undefined, CHECK_RETRIES), { maxAttempts: 2 });
    assert.deepEqual(
      await resolved(clientConfig('eu-west-1', { ...BULK_READ_RETRIES, credentials: session })),
      { region: 'eu-west-1', accessKeyId: session.accessKeyId, maxAttempts: 10, retryMode: 'adaptive' },
    );
    const { maxAttempts, retryMode } = await resolved(clientConfig('eu-west-1'));
    assert.deepEqual({ maxAttempts, retryMode }, { maxAttempts: 3, retryMode: 'standard' });
  });

  it("the table reader keeps its bulk-read retries through it (and the caller's region)", async () => {
    const reader = createReader('eu-central-1');
    try {
      assert.equal(await reader.config.region(), 'eu-central-1');
      assert.equal(await reader.config.maxAttempts(), 10);
      assert.equal(await retryModeOf(reader), 'adaptive');
    } finally {
      reader.destroy();
    }
  });
});

/**
 * Malformed and unusual events, from a fixed corpus and from seeded random generation: in `allow` mode the
 * handler never throws and returns the event it got, never writes an item without its keys, and never
 * logs an attribute value (email, phone number). (Duplicated deliveries: tests/function/integration/history-table.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mockClient } from 'aws-sdk-client-mock';
import { readConfig } from '../../../authenticated/src/config.ts';
import { createPostAuthenticationHandler } from '../../../authenticated/src/record-sign-in.ts';
import { createHistoryClient, createHistoryWriter } from '../../../authenticated/src/write-history.ts';
import { captureLogs, lambdaContext, sampleEvent, useLocalAwsEnvironment } from '../../helpers/events.ts';

useLocalAwsEnvironment();

const EMAIL = 'sentinel.person@example.org';
const PHONE = '+819012345678';

function withSentinels(): Record<string, any> {
  const event = sampleEvent() as unknown as Record<string, any>;
  event.request.userAttributes.email = EMAIL;
  event.request.userAttributes.phone_number = PHONE;
  return event;
}

const corpus: [string, unknown][] = [
  ['null', null],
  ['a string', 'PostAuthentication_Authentication'],
  ['an array', [withSentinels()]],
  ['empty object', {}],
  ['missing request', { ...withSentinels(), request: undefined }],
  ['request is a string', { ...withSentinels(), request: 'x' }],
  ['missing userAttributes', { ...withSentinels(), request: { newDeviceUsed: true } }],
  ['sub is a number', { ...withSentinels(), request: { userAttributes: { sub: 123, email: EMAIL } } }],
  ['sub is empty', { ...withSentinels(), request: { userAttributes: { sub: '', email: EMAIL } } }],
  ['userPoolId is an object', { ...withSentinels(), userPoolId: { id: 'x' } }],
  ['email is an array', { ...withSentinels(), request: { userAttributes: { sub: 's', email: [EMAIL] } } }],
  [
    'newDeviceUsed is a string',
    { ...withSentinels(), request: { userAttributes: { sub: 's' }, newDeviceUsed: 'true' } },
  ],
  ['callerContext is null', { ...withSentinels(), callerContext: null }],
  ['wrong trigger source', { ...withSentinels(), triggerSource: 'PostConfirmation_ConfirmSignUp' }],
  [
    'trigger source in lower case',
    { ...withSentinels(), triggerSource: 'postauthentication_authentication' },
  ],
  [
    'enormous attribute map',
    {
      ...withSentinels(),
      request: {
        userAttributes: {
          ...withSentinels().request.userAttributes,
          ...Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`custom:a${i}`, 'y'.repeat(2048)])),
        },
      },
    },
  ],
  [
    'unicode everywhere',
    {
      ...withSentinels(),
      userName: '𝓊𝓈𝑒𝓇-名前-🙂\u0000\u202e',
      userPoolId: 'ap-northeast-1_Ünïcødé',
      callerContext: { clientId: 'クライアント' },
    },
  ],
  [
    'prototype pollution keys',
    JSON.parse(`{"__proto__":{"polluted":1},"triggerSource":"PostAuthentication_Authentication"}`),
  ],
];

/** mulberry32: a tiny seeded PRNG, so a failing case can be reproduced from its seed. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomValue(next: () => number, depth = 0): unknown {
  const pick = Math.floor(next() * 9);
  const chars = ['a', 'Z', '0', '@', '#', ' ', 'é', '名', '🙂', '\u0000', '"', '\\', '\u202e'];
  const text = () =>
    Array.from({ length: Math.floor(next() * 40) }, () => chars[Math.floor(next() * chars.length)]).join('');
  switch (pick) {
    case 0:
      return null;
    case 1:
      return undefined;
    case 2:
      return Math.floor(next() * 1e9) - 5e8;
    case 3:
      return next() < 0.5;
    case 4:
      return depth < 2 ? [randomValue(next, depth + 1), randomValue(next, depth + 1)] : [];
    case 5:
      return depth < 2 ? { k: randomValue(next, depth + 1), [text()]: randomValue(next, depth + 1) } : {};
    case 6:
      return 'x'.repeat(Math.floor(next() * 5000));
    default:
      return text();
  }
}

const PATHS = [
  ['version'],
  ['region'],
  ['userPoolId'],
  ['userName'],
  ['callerContext'],
  ['callerContext', 'clientId'],
  ['triggerSource'],
  ['request'],
  ['request', 'userAttributes'],
  ['request', 'userAttributes', 'sub'],
  ['request', 'userAttributes', 'email'],
  ['request', 'newDeviceUsed'],
  ['response'],
  ['extraField'],
];

function mutate(seed: number): unknown {
  const next = random(seed);
  const event = withSentinels();
  const mutations = 1 + Math.floor(next() * 3);
  for (let m = 0; m < mutations; m++) {
    const path = PATHS[Math.floor(next() * PATHS.length)] as string[];
    let target: Record<string, any> | undefined = event;
    for (const key of path.slice(0, -1)) {
      target = target && typeof target[key] === 'object' && target[key] !== null ? target[key] : undefined;
    }
    if (target) target[path.at(-1) as string] = randomValue(next);
  }
  return event;
}

function setup() {
  const client = createHistoryClient();
  const mock = mockClient(client);
  mock.onAnyCommand().resolves({});
  const logs = captureLogs();
  const handler = createPostAuthenticationHandler({
    configResult: readConfig({ TABLE_NAME: 'history', ON_WRITE_FAILURE: 'allow' }),
    writeItem: createHistoryWriter(client, 'history'),
    log: logs.log,
  });
  return { mock, logs, handler };
}

/** Checks the properties for one event; returns how many items it wrote (0 or 1). */
async function checkProperties(name: string, event: unknown): Promise<number> {
  const { mock, logs, handler } = setup();
  const result = await handler(event as any, lambdaContext(`req-${name}`));
  assert.equal(result, event, `${name}: the event is returned as received`);
  for (const call of mock.calls()) {
    const item = (call.args[0].input as { Item: Record<string, unknown> }).Item;
    for (const key of ['sub', 'signInId', 'userPoolId', 'requestId', 'dayShard']) {
      assert.ok(typeof item[key] === 'string' && item[key] !== '', `${name}: item without ${key}`);
    }
    assert.ok(
      JSON.stringify(item).length < 16 * 1024,
      `${name}: item of ${JSON.stringify(item).length} bytes`,
    );
  }
  assert.ok(mock.calls().length <= 1, `${name}: at most one write`);
  const logged = JSON.stringify(logs.lines);
  assert.ok(!logged.includes(EMAIL) && !logged.includes(PHONE), `${name}: an attribute value was logged`);
  return mock.calls().length;
}

describe('bad input (OnWriteFailure=allow)', () => {
  for (const [name, event] of corpus) {
    it(`corpus: ${name}`, async () => {
      await checkProperties(name, event);
    });
  }

  it('500 generated mutations of the field event', async () => {
    let writes = 0;
    for (let seed = 1; seed <= 500; seed++) writes += await checkProperties(`seed ${seed}`, mutate(seed));
    // The generator must exercise both paths: events that still write, and events that are rejected.
    assert.ok(writes > 100 && writes < 450, `${writes} of 500 mutations wrote an item`);
  });

  it('the unmutated event still writes (the generator does not only produce rejects)', async () => {
    const { mock, handler } = setup();
    await handler(withSentinels() as any, lambdaContext('req-plain'));
    assert.equal(mock.calls().length, 1);
  });
});

/**
 * Malformed and unusual events, from a fixed corpus and from seeded fast-check generation: in `allow` mode the
 * handler never throws and returns the event it got, never writes an item without its keys, and never
 * logs an attribute value (email, phone number). (Duplicated deliveries: tests/function/integration/history-table.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
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
    'identities is not JSON',
    { ...withSentinels(), request: { userAttributes: { sub: 's', identities: '[{"providerName":' } } },
  ],
  [
    'identities is an object, not an array',
    { ...withSentinels(), request: { userAttributes: { sub: 's', identities: { providerName: 'Google' } } } },
  ],
  [
    'identities of a megabyte',
    {
      ...withSentinels(),
      request: { userAttributes: { sub: 's', identities: `[${'{},'.repeat(350_000)}{}]` } },
    },
  ],
  [
    'prototype pollution keys',
    JSON.parse(`{"__proto__":{"polluted":1},"triggerSource":"PostAuthentication_Authentication"}`),
  ],
];

const CHARS = ['a', 'Z', '0', '@', '#', ' ', 'é', '名', '🙂', '\u0000', '"', '\\', '\u202e'];
const text = fc.array(fc.constantFrom(...CHARS), { maxLength: 40 }).map((chars) => chars.join(''));

/** An `identities` attribute as Cognito writes it (a JSON array as a string), or a malformed one. */
const identitiesValue = fc.oneof(
  fc
    .array(
      fc.record(
        {
          providerName: fc.oneof(text, fc.constantFrom('Google', 'SignInWithApple', 'corp-saml')),
          providerType: fc.constantFrom('Google', 'SAML', 'OIDC'),
          userId: text,
          primary: fc.oneof(fc.constantFrom('true', 'false'), fc.boolean()),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 3 },
    )
    .map((entries) => JSON.stringify(entries)),
  fc.constantFrom(
    '',
    'not json',
    '{"providerName":"Google"}',
    'null',
    '[[]]',
    '[null]',
    `[${'{},'.repeat(3000)}{}]`,
  ),
);

/** Any JSON-ish value, small and nested at most twice: what a malformed event might carry anywhere. */
const anyValue = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 2, depthSize: 'small' },
    fc.constant(null),
    fc.constant(undefined),
    fc.integer({ min: -5e8, max: 5e8 }),
    fc.boolean(),
    fc.tuple(tie('value'), tie('value')),
    fc.dictionary(text, tie('value'), { maxKeys: 2 }),
    fc.nat({ max: 5000 }).map((n) => 'x'.repeat(n)),
    text,
    identitiesValue,
  ),
})).value;

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
  ['request', 'userAttributes', 'identities'],
  ['request', 'newDeviceUsed'],
  ['response'],
  ['extraField'],
];

/** One to three fields of the field event replaced by arbitrary values (fast-check shrinks a failure). */
const mutatedEvent = fc
  .array(fc.tuple(fc.constantFrom(...PATHS), anyValue), { minLength: 1, maxLength: 3 })
  .map((mutations) => {
    const event = withSentinels();
    for (const [path, value] of mutations) {
      let target: Record<string, any> | undefined = event;
      for (const key of path.slice(0, -1)) {
        target = target && typeof target[key] === 'object' && target[key] !== null ? target[key] : undefined;
      }
      if (target) target[path.at(-1) as string] = value;
    }
    return event;
  });

/** Fixed seed: every run checks the same 500 events, and a failure names the seed and path to replay it. */
const PROPERTY_SEED = 20261126;

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
    if ('identityProvider' in item) {
      const provider = item.identityProvider;
      assert.ok(typeof provider === 'string' && provider.length > 0 && provider.length <= 2048, name);
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

  it('500 generated mutations of the field event (fast-check, seeded)', async () => {
    let writes = 0;
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(mutatedEvent, async (event) => {
        runs++;
        writes += await checkProperties(`mutation ${runs}`, event);
      }),
      { seed: PROPERTY_SEED, numRuns: 500 },
    );
    // The generator must exercise both paths: events that still write, and events that are rejected.
    assert.equal(runs, 500);
    assert.ok(writes > 100 && writes < 450, `${writes} of 500 mutations wrote an item`);
  });

  it('the unmutated event still writes (the generator does not only produce rejects)', async () => {
    const { mock, handler } = setup();
    await handler(withSentinels() as any, lambdaContext('req-plain'));
    assert.equal(mock.calls().length, 1);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shardOf } from '../../../authenticated/src/common.ts';
import {
  buildHistoryItem,
  MAX_FIELD_LENGTH,
  MAX_IDENTITIES_LENGTH,
  POST_AUTHENTICATION_SOURCE,
} from '../../../authenticated/src/history-item.ts';
import { sampleEvent } from '../../helpers/events.ts';

const NOW = Date.parse('2026-11-26T09:15:30.123Z');
const options = { requestId: 'req-1', now: NOW, retentionDays: 365, dayIndexShards: 1 };

function build(event: unknown, overrides: Partial<typeof options> = {}) {
  const result = buildHistoryItem(event, { ...options, ...overrides });
  if (!result.ok) assert.fail(`expected an item, got ${JSON.stringify(result.rejection)}`);
  return result.item;
}

describe('buildHistoryItem', () => {
  it('maps the field event (managed login, MFA) to the complete item', () => {
    assert.deepEqual(build(sampleEvent()), {
      sub: '97446a08-1071-7008-8a0b-abb8cc5d9bab',
      signInId: '2026-11-26T09:15:30.123Z#req-1',
      signedInAt: '2026-11-26T09:15:30.123Z',
      userPoolId: 'ap-northeast-1_AbCdEf123',
      userName: '97446a08-1071-7008-8a0b-abb8cc5d9bab',
      clientId: '1example23456789abcdefghij',
      email: 'demo-with-mfa@example.com',
      newDeviceUsed: false,
      triggerSource: POST_AUTHENTICATION_SOURCE,
      requestId: 'req-1',
      dayShard: '2026-11-26#0',
      expiresAt: Math.floor(NOW / 1000) + 365 * 86_400,
    });
  });

  it('omits email and newDeviceUsed when the event has none (no null, no empty string)', () => {
    const item = build(sampleEvent('post-authentication-no-email'));
    assert.equal('email' in item, false);
    assert.equal('newDeviceUsed' in item, false);
    assert.equal(item.userName, 'kiosk-operator-07');
    assert.equal(item.sub, '5b1e6c2d-0a51-70c3-9f7e-2f0d3c4b5a69');
  });

  it('keys a federated user by sub, keeping the provider user name as userName', () => {
    const item = build(sampleEvent('post-authentication-federated'));
    assert.equal(item.sub, 'd4a8a4f8-70b1-7019-5e5b-6c5f1d2e3a4b');
    assert.equal(item.userName, 'Google_112233445566778899000');
    assert.equal('identities' in item, false, 'attribute maps are never copied');
    assert.equal(item.identityProvider, 'Google');
  });

  it('records the primary identity provider only, and none for password users', () => {
    const withIdentities = (identities: unknown) => {
      const event = sampleEvent('post-authentication-federated');
      (event.request.userAttributes as Record<string, unknown>).identities = identities;
      return build(event);
    };
    const linked = JSON.stringify([
      { providerName: 'Google', providerType: 'Google', primary: 'false' },
      { providerName: 'corp-saml', providerType: 'SAML', primary: 'true' },
    ]);
    assert.equal(withIdentities(linked).identityProvider, 'corp-saml');
    // A native user who linked a provider: the linked entry is not primary, the sign-in was a password one.
    assert.equal(
      'identityProvider' in withIdentities(JSON.stringify([{ providerName: 'Google', primary: false }])),
      false,
    );
    assert.equal('identityProvider' in build(sampleEvent()), false);
  });

  it('ignores malformed, non-array or over-long identities and records the rest of the item', () => {
    for (const identities of [
      'not json',
      '{"providerName":"Google","primary":true}',
      'null',
      '[null, 3, "x"]',
      '[{"providerName":{"x":1},"primary":true}]',
      '[{"providerName":"","primary":true}]',
      JSON.stringify([{ providerName: 'p'.repeat(MAX_FIELD_LENGTH + 1), primary: true }]),
      JSON.stringify([{ providerName: 'Google', primary: true, pad: 'x'.repeat(MAX_IDENTITIES_LENGTH) }]),
      ['[{"providerName":"Google","primary":true}]'],
      42,
    ]) {
      const event = sampleEvent('post-authentication-federated');
      (event.request.userAttributes as Record<string, unknown>).identities = identities;
      const item = build(event);
      assert.equal('identityProvider' in item, false, String(identities).slice(0, 60));
      assert.equal(item.email, 'taro@example.com');
      assert.equal(item.userName, 'Google_112233445566778899000');
    }
  });

  it('records newDeviceUsed true when the pool remembers devices', () => {
    const event = sampleEvent();
    event.request.newDeviceUsed = true;
    assert.equal(build(event).newDeviceUsed, true);
  });

  it('keeps unicode user names and emails exactly', () => {
    const event = sampleEvent();
    event.userName = '山田 太郎🙂';
    event.request.userAttributes.email = 'たろう@例え.jp';
    const item = build(event);
    assert.equal(item.userName, '山田 太郎🙂');
    assert.equal(item.email, 'たろう@例え.jp');
  });

  it('ignores fields it does not know (AWS adds fields over time)', () => {
    const event = {
      ...sampleEvent(),
      futureField: { nested: [1, 2] },
      request: { ...sampleEvent().request, extra: 1 },
    };
    assert.equal(build(event).sub, '97446a08-1071-7008-8a0b-abb8cc5d9bab');
  });

  it('omits expiresAt when retention is 0 (keep forever)', () => {
    assert.equal('expiresAt' in build(sampleEvent(), { retentionDays: 0 }), false);
  });

  it('omits clientId and userName when absent or not strings', () => {
    const event = sampleEvent() as unknown as Record<string, unknown>;
    event.callerContext = { clientId: null };
    event.userName = 42;
    const item = build(event);
    assert.equal('clientId' in item, false);
    assert.equal('userName' in item, false);
  });

  it('orders sort keys by time and makes them unique per request', () => {
    const a = build(sampleEvent(), { requestId: 'b', now: NOW });
    const b = build(sampleEvent(), { requestId: 'a', now: NOW });
    const later = build(sampleEvent(), { requestId: 'a', now: NOW + 1 });
    assert.notEqual(a.signInId, b.signInId);
    assert.ok(later.signInId > a.signInId && later.signInId > b.signInId);
  });

  it('spreads requests over every day-index shard and stays in range', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 400; i++) {
      const shard = shardOf(`request-${i}`, 8);
      assert.ok(shard >= 0 && shard < 8);
      seen.add(shard);
    }
    assert.equal(seen.size, 8);
    const item = build(sampleEvent(), { dayIndexShards: 8, requestId: 'request-7' });
    assert.equal(item.dayShard, `2026-11-26#${shardOf('request-7', 8)}`);
  });

  it('rejects other trigger sources', () => {
    const event = { ...sampleEvent(), triggerSource: 'PostConfirmation_ConfirmForgotPassword' };
    const result = buildHistoryItem(event, options);
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.rejection.code, 'EVENT_NOT_POST_AUTHENTICATION');
  });

  it('rejects events without sub or userPoolId, naming what is missing', () => {
    const noSub = sampleEvent();
    delete (noSub.request.userAttributes as Record<string, string | undefined>).sub;
    const noPool = { ...sampleEvent(), userPoolId: '' };
    for (const [event, missing] of [
      [noSub, 'request.userAttributes.sub'],
      [noPool, 'userPoolId'],
    ] as const) {
      const result = buildHistoryItem(event, options);
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.rejection.code, 'EVENT_MISSING_FIELD');
      assert.match(!result.ok ? result.rejection.detail : '', new RegExp(missing.replace(/\./g, '\\.')));
    }
  });

  it('rejects shapes that are not events at all', () => {
    for (const event of [
      null,
      undefined,
      'text',
      42,
      [],
      { request: 'x' },
      { triggerSource: POST_AUTHENTICATION_SOURCE },
    ]) {
      assert.equal(buildHistoryItem(event, options).ok, false, JSON.stringify(event));
    }
  });

  it('refuses values longer than Cognito allows, so an item stays far below 400 KB', () => {
    const event = sampleEvent();
    event.request.userAttributes.email = `${'x'.repeat(MAX_FIELD_LENGTH)}@example.com`;
    const result = buildHistoryItem(event, options);
    assert.equal(!result.ok && result.rejection.code, 'EVENT_FIELD_TOO_LONG');
    assert.match(!result.ok ? result.rejection.detail : '', /email/);
  });
});

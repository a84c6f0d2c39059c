import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  buildAuthEventItem,
  MANAGED_LOGIN_SIGN_IN_EVENTS,
  MAX_USER_AGENT_LENGTH,
  type MappingOptions,
  truncate,
} from '../../../authenticated/src/auth-event-record.ts';
import { shardOf } from '../../../authenticated/src/common.ts';
import { AUTH_EVENT_SHARDS } from '../../../authenticated/src/contract.ts';
import { PROJECT_ROOT } from '../../../dev/build/template.ts';
import { SAMPLES_DIR } from '../../../scripts/doctor/samples.ts';
import {
  APP_CLIENT_ID,
  EXPECTED,
  INFERRED_DIR,
  loadCorpus,
  POOL_ID,
  provenanceOf,
  SUB,
} from '../../helpers/cloudtrail-corpus.ts';

const options: MappingOptions = { userPoolId: POOL_ID, clientIds: [APP_CLIENT_ID], retentionDays: 365 };
const corpus = loadCorpus();

function record(name: string) {
  const result = buildAuthEventItem(corpus[name], options);
  if (result.kind !== 'record') assert.fail(`${name}: expected a record, got ${JSON.stringify(result)}`);
  return result.item;
}

describe('buildAuthEventItem on the CloudTrail corpus', () => {
  it('knows what to do with every corpus file', () => {
    assert.deepEqual(Object.keys(corpus).sort(), Object.keys(EXPECTED).sort());
  });

  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(name, () => {
      const result = buildAuthEventItem(corpus[name], options);
      if ('record' in expected) {
        assert.equal(result.kind, 'record', JSON.stringify(result));
        if (result.kind !== 'record') return;
        assert.equal(result.item.outcome, expected.record.outcome);
        assert.equal(result.item.errorCode, expected.record.errorCode);
        assert.equal(result.item.sub, expected.record.sub ? SUB : undefined);
        assert.equal(result.item.userPoolId, POOL_ID);
      } else if ('rejected' in expected) {
        assert.deepEqual([result.kind, 'code' in result && result.code], ['rejected', expected.rejected]);
      } else {
        assert.deepEqual([result.kind, 'code' in result && result.code], ['skipped', expected.skipped]);
      }
    });
  }

  it('maps a failed password sign-in to the complete record, keys per the contract', () => {
    const event = corpus['password-wrong-password'];
    const eventId = event.detail.eventID;
    const shard = String(shardOf(eventId, 16)).padStart(2, '0');
    assert.deepEqual(record('password-wrong-password'), {
      pk: `2026-11-26#${shard}`,
      sk: `2026-11-26T09:16:01.000Z#${eventId}`,
      eventTime: '2026-11-26T09:16:01.000Z',
      eventId,
      eventName: 'InitiateAuth',
      outcome: 'failure',
      errorCode: 'NotAuthorizedException',
      sourceIp: '203.0.113.10',
      userAgent: event.detail.userAgent,
      sub: SUB,
      clientId: APP_CLIENT_ID,
      userPoolId: POOL_ID,
      authFlow: 'USER_PASSWORD_AUTH',
      expiresAt: Date.parse('2026-11-26T09:16:01Z') / 1000 + 365 * 86_400,
    });
  });

  it('records the backend address and client of Admin* calls (the user is not at that IP)', () => {
    const item = record('admin-backend-wrong-password');
    assert.equal(item.sourceIp, '198.51.100.7');
    assert.equal(item.clientId, '2backend3456789abcdefghijk');
    assert.equal(item.authFlow, 'ADMIN_USER_PASSWORD_AUTH');
  });

  it('reads managed-login requests: client id from the form parameters, failure from errorCode or HTTP status', () => {
    const classic = record('managed-login-classic-wrong-mfa-code');
    assert.equal(classic.clientId, APP_CLIENT_ID);
    assert.equal(classic.outcome, 'failure', 'status 400 without errorCode');
    assert.equal(record('managed-login-classic-success').outcome, 'success', 'status 302');
    assert.equal(record('managed-login-success').authFlow, undefined);
  });

  it('never stores the hidden-value marker or a value of the wrong type', () => {
    for (const name of Object.keys(EXPECTED)) {
      const result = buildAuthEventItem(corpus[name], options);
      if (result.kind !== 'record') continue;
      const text = JSON.stringify(result.item);
      assert.doesNotMatch(text, /HIDDEN_(DUE_TO|FOR)_SECURITY_REASONS/, name);
      for (const [key, value] of Object.entries(result.item)) {
        assert.equal(typeof value, key === 'expiresAt' ? 'number' : 'string', `${name}.${key}`);
      }
    }
    const item = record('malformed-field-types');
    assert.equal(item.sourceIp, undefined, 'a number is not an address');
    assert.equal(item.userAgent, undefined, 'an object is not a user agent');
    assert.equal(item.sub, undefined);
  });

  it('cuts an oversized user agent to 512 characters without splitting a character', () => {
    const item = record('malformed-oversized-user-agent');
    assert.equal(item.userAgent, 'A'.repeat(511), 'the emoji straddling the limit is dropped whole');
    assert.equal(item.sourceIp, '2001:db8:85a3::8a2e:370:7334');
    assert.equal(record('malformed-oversized-sub').sub, undefined, 'a 5,000-character sub is not a sub');
  });

  it('keeps items forever when retention is 0', () => {
    const result = buildAuthEventItem(corpus['password-success'], { ...options, retentionDays: 0 });
    assert.equal(result.kind === 'record' && 'expiresAt' in result.item, false);
  });

  it('skips events of this pool whose client is not listed only when they name no pool', () => {
    const listedNone = { ...options, clientIds: [] };
    assert.equal(buildAuthEventItem(corpus['password-success'], listedNone).kind, 'skipped');
    assert.equal(buildAuthEventItem(corpus['admin-backend-success'], listedNone).kind, 'record');
    assert.equal(buildAuthEventItem(corpus['managed-login-success'], listedNone).kind, 'record');
  });

  it('accepts a bare CloudTrail record as well as the EventBridge envelope', () => {
    const bare = buildAuthEventItem(corpus['password-success'].detail, options);
    assert.deepEqual(bare, buildAuthEventItem(corpus['password-success'], options));
  });
});

describe("buildAuthEventItem on AWS's documented managed-login shapes", () => {
  const documented = Object.keys(corpus).filter((name) => provenanceOf(name) === 'documented');

  it("has all nine of AWS's samples; every other event is an inferred file", () => {
    assert.equal(documented.length, 9, documented.join(', '));
    for (const name of documented) assert.equal(corpus[name].detail.eventSource, 'cognito-idp.amazonaws.com');
    assert.ok(Object.keys(corpus).some((name) => provenanceOf(name) === 'inferred'));
  });

  it('docs/auth-events.md names every inferred failure shape', () => {
    const docs = readFileSync(join(PROJECT_ROOT, 'docs', 'auth-events.md'), 'utf8');
    for (const [name, expected] of Object.entries(EXPECTED)) {
      if (
        provenanceOf(name) !== 'inferred' ||
        !('record' in expected) ||
        expected.record.outcome !== 'failure'
      ) {
        continue;
      }
      assert.ok(docs.includes(`\`${name}\``), `docs/auth-events.md does not list the inferred shape ${name}`);
    }
    assert.ok(docs.includes(INFERRED_DIR.slice(PROJECT_ROOT.length + 1)));
  });

  // The samples are page views, sign-ups and token requests; renamed to a credential-submitting request they
  // are what such a request looks like in every field AWS documents, and only in those.
  for (const name of documented) {
    for (const eventName of MANAGED_LOGIN_SIGN_IN_EVENTS) {
      it(`${name} renamed ${eventName}: a record that rests only on fields the sample has`, () => {
        const sample = corpus[name];
        const event = { ...sample, detail: { ...sample.detail, eventName } };
        const result = buildAuthEventItem(event, options);
        assert.equal(result.kind, 'record', JSON.stringify(result));
        if (result.kind !== 'record') return;
        const form = sample.detail.additionalEventData.requestParameters;
        assert.equal(result.item.clientId, form.client_id?.[0]);
        assert.equal(result.item.sub, form.sub?.[0]);
        assert.equal(result.item.outcome, 'success', 'no errorCode (or ""), a 2xx or 3xx status');
        assert.equal(result.item.errorCode, undefined);
        assert.equal(result.item.sourceIp, sample.detail.sourceIPAddress);
      });
    }
  }

  it("reads the sub where AWS's Confirm_POST has it: a form parameter, an array", () => {
    const sample = corpus['documented-Confirm_POST'];
    const result = buildAuthEventItem(
      { ...sample, detail: { ...sample.detail, eventName: 'login_POST' } },
      options,
    );
    assert.equal(result.kind === 'record' && result.item.sub, '704b1e47-34fe-40e9-8c41-504997494531');
  });

  it('takes the status as AWS prints it (200.0) or as text, and a status of 400 or more as a failure', () => {
    assert.equal(record('managed-login-shaped-like-login-get').outcome, 'success');
    assert.match(
      readFileSync(join(SAMPLES_DIR, 'cognito-Login_GET.json'), 'utf8'),
      /"status": 200\.0/,
      "the sample keeps AWS's 200.0",
    );
    assert.equal(record('managed-login-wrong-sms-code-status-text').outcome, 'failure');
  });
});

describe('buildAuthEventItem on arbitrary input', () => {
  const base = corpus['password-wrong-password'];

  it('never throws, whatever the shape', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        buildAuthEventItem(value, options);
        buildAuthEventItem({ detail: value }, options);
        buildAuthEventItem({ ...base, detail: { ...base.detail, requestParameters: value } }, options);
        buildAuthEventItem({ ...base, detail: { ...base.detail, additionalEventData: value } }, options);
      }),
    );
  });

  it('bounds the user agent and keys every record within one day and 16 shards', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 2000, unit: 'grapheme' }),
        fc.uuid(),
        fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
        (userAgent, eventID, time) => {
          const event = {
            ...base,
            detail: { ...base.detail, userAgent, eventID, eventTime: time.toISOString() },
          };
          const result = buildAuthEventItem(event, options);
          assert.equal(result.kind, 'record');
          if (result.kind !== 'record') return;
          const { item } = result;
          assert.ok((item.userAgent ?? '').length <= MAX_USER_AGENT_LENGTH);
          assert.ok(userAgent.startsWith(item.userAgent ?? ''));
          assert.doesNotMatch(item.userAgent ?? '', /[\uD800-\uDBFF]$/, 'no half surrogate pair at the end');
          const [day, shard] = item.pk.split('#');
          assert.equal(day, time.toISOString().slice(0, 10));
          assert.ok(Number(shard) >= 0 && Number(shard) < AUTH_EVENT_SHARDS && shard?.length === 2);
          assert.equal(item.sk, `${time.toISOString()}#${eventID}`);
        },
      ),
    );
  });

  it('spreads a burst over all 16 shards of the day', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const event = {
        ...base,
        detail: { ...base.detail, eventID: `0b7c1d2e-3f40-4a5b-8c6d-${String(i).padStart(12, '0')}` },
      };
      const result = buildAuthEventItem(event, options);
      if (result.kind === 'record') counts.set(result.item.pk, (counts.get(result.item.pk) ?? 0) + 1);
    }
    assert.equal(counts.size, 16);
    // No shard takes more than twice its fair share (5000 / 16 ≈ 312).
    assert.ok(Math.max(...counts.values()) < 625, JSON.stringify([...counts]));
  });

  it('truncate leaves short strings alone', () => {
    assert.equal(truncate('abc', 512), 'abc');
    assert.equal(truncate('ab😀', 3), 'ab');
    assert.equal(truncate('ab😀', 4), 'ab😀');
  });
});

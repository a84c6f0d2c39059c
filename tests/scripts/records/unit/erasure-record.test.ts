/** The erasure record (no personal data, counts exact across interruptions) and the role-session check. */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { ERASURE_PARTITION } from '#contract';
import { isSessionOf } from '../../../../scripts/account/role-session.ts';
import { completedRecord, startedRecord, subHash } from '../../../../scripts/records/erasure-record.ts';

const SALT = 'x'.repeat(64);
const SUB = '97446a08-1071-7008-8a0b-abb8cc5d9bab';

describe('erasure record', () => {
  it('hashes the sub with HMAC-SHA256 keyed by the salt: stable, salt-dependent, never the sub', () => {
    const hash = subHash(SALT, SUB);
    assert.equal(hash, createHmac('sha256', SALT).update(SUB).digest('hex'));
    assert.equal(subHash(SALT, SUB), hash);
    assert.notEqual(subHash('y'.repeat(64), SUB), hash);
    assert.throws(() => subHash('short', SUB), /at least 32 characters/);
  });

  it('keys a person’s records by hash and time, the completion sorting after the start', () => {
    const started = startedRecord({
      subHash: 'abc',
      requestedAt: '2026-11-30T06:00:00.000Z',
      requestedBy: 'arn:aws:sts::123456789012:assumed-role/Privacy/alice',
      itemsFound: { signIns: 7, authEvents: 5 },
    });
    assert.equal(started.sub, ERASURE_PARTITION);
    assert.equal(started.signInId, 'abc#2026-11-30T06:00:00.000Z#1-started');
    const done = completedRecord(started, {
      remaining: { signIns: 7, authEvents: 5 },
      deletedNow: { signIns: 7, authEvents: 5 },
      completedAt: '2026-11-30T06:00:03.000Z',
    });
    assert.equal(done.signInId, 'abc#2026-11-30T06:00:00.000Z#2-completed');
    assert.ok(done.signInId > started.signInId, 'newest first puts the completion before its start');
    assert.deepEqual(done.itemsErased, { signIns: 7, authEvents: 5 });
    assert.equal(done.requestedAt, started.requestedAt);
  });

  it('counts a resumed erasure exactly: what the killed run deleted, plus what this run deleted', () => {
    const started = startedRecord({
      subHash: 'abc',
      requestedAt: '2026-11-30T06:00:00.000Z',
      requestedBy: 'unknown',
      itemsFound: { signIns: 160, authEvents: 10 },
    });
    // The first run deleted 100 sign-ins and no events before it was killed; one sign-in arrived since:
    // 60 of the found sign-ins remain, and this run deletes those and the new one.
    const done = completedRecord(started, {
      remaining: { signIns: 60, authEvents: 10 },
      deletedNow: { signIns: 61, authEvents: 10 },
      completedAt: '2026-11-30T06:05:00.000Z',
    });
    assert.deepEqual(done.itemsErased, { signIns: 161, authEvents: 10 });
  });
});

describe('isSessionOf', () => {
  const role = 'arn:aws:iam::123456789012:role/login-history-ErasureRole-AbC123';
  it('recognises a session of the role, with or without a role path', () => {
    assert.equal(
      isSessionOf('arn:aws:sts::123456789012:assumed-role/login-history-ErasureRole-AbC123/s', role),
      true,
    );
    assert.equal(
      isSessionOf(
        'arn:aws:sts::123456789012:assumed-role/Name/s',
        'arn:aws:iam::123456789012:role/team/path/Name',
      ),
      true,
    );
  });
  it('refuses other roles, other accounts, users and nothing', () => {
    for (const caller of [
      'arn:aws:sts::123456789012:assumed-role/login-history-ReplayRole-AbC123/s',
      'arn:aws:sts::210987654321:assumed-role/login-history-ErasureRole-AbC123/s',
      'arn:aws:iam::123456789012:user/alice',
      undefined,
    ]) {
      assert.equal(isSessionOf(caller, role), false, String(caller));
    }
  });
});

/**
 * The digest format (authenticated/src/trail-digest.ts): what the sealer signs and anyone recomputes. The
 * canonical form is checked against an independent RFC 8785 implementation (canonicalize) on generated items.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  canonicalJson,
  compactTime,
  compareLeaves,
  DIGEST_FORMAT,
  type Digest,
  digestBytes,
  digestKey,
  intervalsToSeal,
  keyHashOf,
  leafOf,
  leavesText,
  MAX_DIGEST_BYTES,
  parseLeaves,
  rootOf,
  SIGNING_ALGORITHM,
} from '../../../authenticated/src/trail-digest.ts';

// An independent RFC 8785 implementation (CommonJS, whose type declaration claims a default export).
const canonicalize = createRequire(import.meta.url)('canonicalize') as (value: unknown) => string;

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const signIn = (n: number, extra: Record<string, unknown> = {}) => ({
  sub: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  signInId: `2026-12-06T10:0${n % 10}:00.000Z#req-${n}`,
  signedInAt: `2026-12-06T10:0${n % 10}:00.000Z`,
  userPoolId: 'us-east-1_Example',
  email: `user${n}@example.com`,
  newDeviceUsed: n % 2 === 0,
  expiresAt: 1796000000 + n,
  ...extra,
});

describe('the digest format', () => {
  it('writes items in RFC 8785 canonical form, as an independent implementation does', () => {
    const value = fc.letrec((tie) => ({
      leaf: fc.oneof(fc.string({ unit: 'binary' }), fc.integer(), fc.boolean(), fc.constant(null)),
      node: fc.oneof(
        { depthSize: 'small' },
        tie('leaf'),
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(fc.string({ unit: 'binary' }), tie('node'), { maxKeys: 5 }),
      ),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), value, { maxKeys: 8 }), (item) => {
        assert.equal(canonicalJson(item), canonicalize(item));
      }),
      { numRuns: 500, seed: 20261206 },
    );
    assert.equal(
      canonicalJson({ b: 1, a: 'é', c: [true, { z: null, y: 2 }] }),
      '{"a":"é","b":1,"c":[true,{"y":2,"z":null}]}',
    );
  });

  it('hashes a key from the key attributes only, and an item from all of it', () => {
    const item = signIn(1);
    assert.equal(keyHashOf('sign-ins', item), sha(`{"signInId":"${item.signInId}","sub":"${item.sub}"}`));
    assert.equal(keyHashOf('sign-ins', { ...item, email: 'other@example.com' }), keyHashOf('sign-ins', item));
    assert.notEqual(
      leafOf('sign-ins', { ...item, email: 'other@example.com' }).itemHash,
      leafOf('sign-ins', item).itemHash,
    );
    assert.equal(
      keyHashOf('auth-events', { pk: '2026-12-06#03', sk: 't#e' }),
      sha('{"pk":"2026-12-06#03","sk":"t#e"}'),
    );
  });

  it('seals the leaves as sorted lines, the root being their SHA-256, and reads them back', () => {
    const items = [signIn(3), signIn(1), signIn(2, { expiresAt: undefined })];
    const text = leavesText(items.map((i) => leafOf('sign-ins', i)));
    const lines = text.split('\n').slice(0, -1);
    assert.equal(lines.length, 3);
    assert.deepEqual([...lines].sort(), lines, 'sorted');
    assert.match(lines.find((l) => l.endsWith(' -')) ?? '', /^[0-9a-f]{64} [0-9a-f]{64} -$/, 'no TTL: "-"');
    assert.equal(rootOf(text), sha(text));
    assert.deepEqual(
      parseLeaves(text).map((l) => l.keyHash),
      items.map((i) => keyHashOf('sign-ins', i)).sort(),
    );
    assert.equal(leavesText([]), '');
    assert.deepEqual(parseLeaves(''), []);
    assert.throws(() => parseLeaves('nonsense\n'), /leaf 1 is not/);
  });

  it('refuses a digest longer than KMS signs raw, and stores each interval under its table, day and bounds', () => {
    const digest: Digest = {
      format: DIGEST_FORMAT,
      table: 'sign-ins',
      tableName: 'login-history',
      intervalStart: '2026-12-06T10:00:00.000Z',
      intervalEnd: '2026-12-06T10:15:00.000Z',
      itemCount: 0,
      root: sha(''),
      previousDigest: null,
      signingKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      signingAlgorithm: SIGNING_ALGORITHM,
    };
    assert.ok(digestBytes(digest).length < 600);
    assert.throws(
      () => digestBytes({ ...digest, tableName: 'x'.repeat(MAX_DIGEST_BYTES) }),
      /KMS signs at most 4096/,
    );
    assert.equal(
      digestKey('auth-events', '2026-12-06T10:00:00.000Z', '2026-12-06T10:15:00.000Z'),
      'digests/auth-events/2026/12/06/20261206T100000Z--20261206T101500Z.json.gz',
    );
    assert.equal(compactTime('2026-12-06T10:07:13.250Z'), '20261206T100713.250Z');
  });

  it('cuts intervals on the grid from the last seal, the last one at "until" when that is off the grid', () => {
    const t = (hm: string) => Date.parse(`2026-12-06T${hm}:00.000Z`);
    const iso = (list: { start: number; end: number }[]) =>
      list.map(
        ({ start, end }) =>
          `${new Date(start).toISOString().slice(11, 16)}-${new Date(end).toISOString().slice(11, 16)}`,
      );
    assert.deepEqual(iso(intervalsToSeal(t('10:00'), t('10:45'), 15, 96)), [
      '10:00-10:15',
      '10:15-10:30',
      '10:30-10:45',
    ]);
    assert.deepEqual(iso(intervalsToSeal(t('10:07'), t('10:38'), 15, 96)), [
      '10:07-10:15',
      '10:15-10:30',
      '10:30-10:38',
    ]);
    assert.deepEqual(iso(intervalsToSeal(t('10:00'), t('11:00'), 15, 2)), ['10:00-10:15', '10:15-10:30']);
    assert.deepEqual(intervalsToSeal(t('10:00'), t('10:00'), 15, 96), []);
  });

  it('tells an altered, a removed and an inserted item apart by key hash', () => {
    const sealed = [signIn(1), signIn(2), signIn(3)].map((i) => leafOf('sign-ins', i));
    const current = [signIn(1), signIn(2, { email: 'changed@example.com' }), signIn(4)].map((i) =>
      leafOf('sign-ins', i),
    );
    const { altered, removed, inserted } = compareLeaves(sealed, current);
    assert.deepEqual(
      altered.map((l) => l.keyHash),
      [keyHashOf('sign-ins', signIn(2))],
    );
    assert.deepEqual(
      removed.map((l) => l.keyHash),
      [keyHashOf('sign-ins', signIn(3))],
    );
    assert.equal(removed[0]?.expiresAt, signIn(3).expiresAt, 'a removed leaf keeps its TTL');
    assert.deepEqual(
      inserted.map((l) => l.keyHash),
      [keyHashOf('sign-ins', signIn(4))],
    );
    assert.deepEqual(compareLeaves(sealed, sealed), { altered: [], removed: [], inserted: [] });
  });
});

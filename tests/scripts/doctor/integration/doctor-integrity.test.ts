/**
 * doctor's checks of what the trail's proof rests on, on moto's S3 (Object Lock) and KMS (an ECC_NIST_P256
 * SIGN_VERIFY key), with digests sealed by the sealer's own code (dev/local-stack/digests-local.ts) from a table on
 * moto's DynamoDB. The stack is template.yaml's declaration (tests/helpers: resolved as CloudFormation would) naming
 * the local bucket and key, so what is compared is what the template declares: the bucket's default retention, the
 * key's usage and spec, the sealer's interval and grace. Each FAIL is made as an operator would make it (a key
 * disabled, a bucket without its lock, a sealer that stopped) and put right with the fix doctor prints.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import {
  CancelKeyDeletionCommand,
  CreateKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  KMSClient,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import {
  CreateBucketCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { loadTemplate, tableCreateInput } from '../../../../dev/build/template.ts';
import {
  createLocalDigests,
  type LocalDigests,
  localS3,
  sealLocally,
} from '../../../../dev/local-stack/digests-local.ts';
import {
  LOCAL_SDK_REGION,
  localClientConfig,
  localDocumentClient,
  localDynamoDB,
} from '../../../../dev/local-stack/local-clients.ts';
import { type RunningMoto, startMoto } from '../../../../dev/local-stack/moto.ts';
import { declaredStack } from '../../../../scripts/core/stack-template.ts';
import {
  checkDigestBucket,
  checkSeals,
  checkSigningKey,
  type IntegrityTarget,
  integrityTargetOf,
} from '../../../../scripts/doctor/integrity-checks.ts';
import { skipBecause } from '../../../helpers/skip.ts';

const ACCOUNT = '123456789012';
const SIGN_INS = 'lh-LoginHistoryTable-1A2B3C4D5E6F7';
const MINUTE = 60_000;
const template = loadTemplate();

/** The stack as it declares its integrity part, naming these local resources. */
function target(
  digests: { bucket: string; keyArn: string },
  options: { retentionDays?: string; deployedAt?: string } = {},
): IntegrityTarget {
  const stack = declaredStack({
    stackName: 'lh',
    stackId: `arn:aws:cloudformation:${LOCAL_SDK_REGION}:${ACCOUNT}:stack/lh/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`,
    template,
    parameters: {
      CognitoUserPoolArn: `arn:aws:cognito-idp:${LOCAL_SDK_REGION}:${ACCOUNT}:userpool/${LOCAL_SDK_REGION}_AbCdEf123`,
      AuthEvents: 'disabled',
      RetentionDays: options.retentionDays ?? '365',
    },
    physicalIds: {
      LoginHistoryTable: SIGN_INS,
      DigestBucket: digests.bucket,
      SigningKey: digests.keyArn.slice(digests.keyArn.lastIndexOf('/') + 1),
      SealTrailFunction: 'lh-SealTrailFunction-1A2B3C4D5E6F7',
      SealerLogGroup: '/aws/lambda/lh-sealer',
    },
    ...(options.deployedAt ? { deployedAt: options.deployedAt } : {}),
  });
  const found = integrityTargetOf(stack);
  assert.ok(!('reason' in found), JSON.stringify(found));
  return found;
}

describe('doctor: the digest bucket, the signing key and the last seal, on moto', () => {
  let moto: RunningMoto | undefined;
  let s3: S3Client;
  let kms: KMSClient;
  let sealed: LocalDigests;
  let sealedUntil = 0;
  const doc = () => localDocumentClient((moto as RunningMoto).endpoint);

  before(async () => {
    moto = await startMoto();
    if (!moto) return;
    s3 = localS3(moto.endpoint);
    kms = new KMSClient(localClientConfig(moto.endpoint));
    const ddb = localDynamoDB(moto.endpoint);
    await ddb.send(new CreateTableCommand(tableCreateInput(template, SIGN_INS)));
    ddb.destroy();
    sealed = await createLocalDigests(moto.endpoint);
    // The sealer's grid: every 15 minutes, the last interval closed.
    sealedUntil = Math.floor(Date.now() / (15 * MINUTE)) * 15 * MINUTE;
    const client = doc();
    await sealLocally(sealed, client, [{ table: 'sign-ins', tableName: SIGN_INS, dayIndexShards: 1 }], {
      genesis: sealedUntil - 60 * MINUTE,
      until: sealedUntil,
    });
    client.destroy();
  });
  after(async () => {
    s3?.destroy();
    kms?.destroy();
    await moto?.stop();
  });

  const ready = (t: TestContext) =>
    moto !== undefined || !skipBecause(t, 'moto_server is not installed (npm test installs it)');

  it('reads what the stack declares: COMPLIANCE for RetentionDays, the key, the sealer and what it seals', (t) => {
    if (!ready(t)) return;
    const declared = target(sealed);
    assert.deepEqual(declared.lock, { mode: 'COMPLIANCE', days: 365 });
    assert.deepEqual(declared.key, { arn: sealed.keyArn, usage: 'SIGN_VERIFY', spec: 'ECC_NIST_P256' });
    assert.deepEqual(declared.seal, { intervalMinutes: 15, graceMinutes: 15, tables: ['sign-ins'] });
    assert.equal(target(sealed, { retentionDays: '0' }).lock.days, 3653, 'ten years when kept forever');
  });

  it('ok: a locked bucket, an enabled signing key and a seal within two intervals and the grace', async (t) => {
    if (!ready(t)) return;
    const declared = target(sealed);
    assert.deepEqual(await checkDigestBucket(declared, s3), {
      check: 'digest bucket',
      status: 'ok',
      detail: `${sealed.bucket} locks every new digest in COMPLIANCE mode for 365 days, as declared`,
    });
    assert.deepEqual(await checkSigningKey(declared, kms), {
      check: 'signing key',
      status: 'ok',
      detail: `${sealed.keyArn} is enabled, SIGN_VERIFY ECC_NIST_P256`,
    });
    const [seal] = await checkSeals(declared, { s3, kms }, new Date(sealedUntil + 20 * MINUTE));
    assert.equal(seal?.status, 'ok', JSON.stringify(seal));
    assert.match(
      seal?.status === 'ok' ? seal.detail : '',
      new RegExp(`ends at ${new Date(sealedUntil).toISOString()} \\(sealed every 15 minutes`),
    );
  });

  it('FAILs a bucket without Object Lock, and its fix (versioning, then the lock) makes it ok', async (t) => {
    if (!ready(t)) return;
    const unlocked = await createLocalDigests((moto as RunningMoto).endpoint, { locked: false });
    const declared = target(unlocked);
    const result = await checkDigestBucket(declared, s3);
    assert.equal(result.status, 'fail', JSON.stringify(result));
    if (result.status !== 'fail') return;
    assert.match(
      result.problem,
      new RegExp(`^${unlocked.bucket} has no Object Lock \\(declared COMPLIANCE mode for 365 days\\)`),
    );
    const [versioning, lock] = result.fix.split(' && ');
    assert.equal(
      versioning,
      `aws s3api put-bucket-versioning --bucket ${unlocked.bucket} --versioning-configuration Status=Enabled`,
    );
    const configuration = JSON.parse(/--object-lock-configuration '(.*)'$/.exec(lock ?? '')?.[1] ?? 'null');
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: unlocked.bucket,
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
    await s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: unlocked.bucket,
        ObjectLockConfiguration: configuration,
      }),
    );
    assert.equal((await checkDigestBucket(declared, s3)).status, 'ok');
  });

  it('FAILs a lock in GOVERNANCE mode, or for fewer days than declared, naming both', async (t) => {
    if (!ready(t)) return;
    const bucket = `lh-governance-${Date.now().toString(36)}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
    await s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: bucket,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } },
        },
      }),
    );
    const governance = await checkDigestBucket(target({ bucket, keyArn: sealed.keyArn }), s3);
    assert.deepEqual(
      governance.status === 'fail' && governance.problem,
      `${bucket} locks new digests in GOVERNANCE mode for 365 days, declared COMPLIANCE mode for 365 days`,
    );
    const shorter = await checkDigestBucket(target(sealed, { retentionDays: '3650' }), s3);
    assert.equal(shorter.status, 'fail');
    if (shorter.status !== 'fail') return;
    assert.match(shorter.problem, /COMPLIANCE mode for 365 days, declared COMPLIANCE mode for 3650 days$/);
    assert.match(shorter.fix, /"DefaultRetention":\{"Mode":"COMPLIANCE","Days":3650\}/);
  });

  it('FAILs a disabled key and one scheduled for deletion, each with its fix, and is ok once they are run', async (t) => {
    if (!ready(t)) return;
    const key = (await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })))
      .KeyMetadata?.Arn as string;
    const declared = target({ bucket: sealed.bucket, keyArn: key });
    // moto finds a key by its id only in these calls (AWS takes the ARN too).
    const id = key.slice(key.lastIndexOf('/') + 1);
    await kms.send(new DisableKeyCommand({ KeyId: id }));
    const disabled = await checkSigningKey(declared, kms);
    assert.deepEqual(disabled, {
      check: 'signing key',
      status: 'fail',
      problem: `${key} is disabled: nothing is sealed while it is`,
      fix: `aws kms enable-key --key-id ${key}`,
    });
    await kms.send(new EnableKeyCommand({ KeyId: id }));
    assert.equal((await checkSigningKey(declared, kms)).status, 'ok');
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: id, PendingWindowInDays: 7 }));
    const pending = await checkSigningKey(declared, kms);
    assert.equal(pending.status, 'fail');
    if (pending.status !== 'fail') return;
    assert.match(pending.problem, new RegExp(`^${key} is scheduled for deletion on \\d{4}-`));
    assert.equal(
      pending.fix,
      `aws kms cancel-key-deletion --key-id ${key} && aws kms enable-key --key-id ${key}`,
    );
    await kms.send(new CancelKeyDeletionCommand({ KeyId: id }));
    await kms.send(new EnableKeyCommand({ KeyId: id }));
    assert.equal((await checkSigningKey(declared, kms)).status, 'ok');
  });

  it("FAILs a key the sealer cannot sign with (a symmetric key in the signing key's place)", async (t) => {
    if (!ready(t)) return;
    const symmetric = (
      await kms.send(new CreateKeyCommand({ KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT' }))
    ).KeyMetadata?.Arn as string;
    const result = await checkSigningKey(target({ bucket: sealed.bucket, keyArn: symmetric }), kms);
    assert.equal(
      result.status === 'fail' && result.problem,
      `${symmetric} is a ENCRYPT_DECRYPT SYMMETRIC_DEFAULT key, declared SIGN_VERIFY ECC_NIST_P256: the sealer cannot sign with it`,
    );
  });

  it('FAILs a seal that is late: two intervals, the grace and five minutes after the newest digest', async (t) => {
    if (!ready(t)) return;
    const declared = target(sealed);
    const deadline = sealedUntil + (2 * 15 + 15 + 5) * MINUTE;
    assert.equal((await checkSeals(declared, { s3, kms }, new Date(deadline)))[0]?.status, 'ok');
    const [late] = await checkSeals(declared, { s3, kms }, new Date(deadline + 1));
    assert.equal(late?.status, 'fail', JSON.stringify(late));
    if (late?.status !== 'fail') return;
    assert.equal(
      late.problem,
      `the newest digest signed by the stack's key ends at ${new Date(sealedUntil).toISOString()}; one ending after ${new Date(sealedUntil + 1).toISOString()} was due (sealed every 15 minutes with 15 minutes' grace)`,
    );
    assert.match(late.fix, /sealer's errors \(log group \/aws\/lambda\/lh-sealer\)/);
  });

  it("before the first seal is due it is not checked; after, no digest (or only another key's) FAILs", async (t) => {
    if (!ready(t)) return;
    const empty = await createLocalDigests((moto as RunningMoto).endpoint);
    const now = Date.now();
    const fresh = await checkSeals(
      target(empty, { deployedAt: new Date(now - 10 * MINUTE).toISOString() }),
      { s3, kms },
      new Date(now),
    );
    assert.deepEqual(fresh, [
      {
        check: 'seal of sign-ins',
        status: 'not-checked',
        reason: {
          code: 'not-sealed-yet',
          table: 'sign-ins',
          dueBy: new Date(now - 10 * MINUTE + 50 * MINUTE).toISOString(),
        },
      },
    ]);
    const old = await checkSeals(
      target(empty, { deployedAt: new Date(now - 24 * 60 * MINUTE).toISOString() }),
      { s3, kms },
      new Date(now),
    );
    assert.equal(old[0]?.status, 'fail', JSON.stringify(old));
    // The bucket of `sealed` holds digests of another key than this stack's: none is this stack's seal.
    const otherKey = (
      await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))
    ).KeyMetadata?.Arn as string;
    const [foreign] = await checkSeals(
      target(
        { bucket: sealed.bucket, keyArn: otherKey },
        { deployedAt: new Date(now - 24 * 60 * MINUTE).toISOString() },
      ),
      { s3, kms },
      new Date(now),
    );
    assert.equal(
      foreign?.status === 'fail' && foreign.problem.startsWith("no digest signed by the stack's key"),
      true,
    );
  });
});

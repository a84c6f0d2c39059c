/**
 * What the trail's proof rests on after a deploy (Integrity=enabled; docs/integrity.md), read-only, each check with
 * its time budget: the digest bucket locks every new digest in COMPLIANCE mode for at least the declared retention;
 * the signing key is enabled and signs; each sealed table's newest digest, signed by that key, is recent (as the
 * watchdog judges it). What is compared with is what the stack declares: the bucket's and key's properties and
 * the sealer's own settings.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { DescribeKeyCommand, GetPublicKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { GetObjectLockConfigurationCommand, type S3Client } from '@aws-sdk/client-s3';
import { asRecord } from '../../authenticated/src/common.ts';
import { s3DigestStore } from '../../authenticated/src/digest-store.ts';
import { signatureVerifies, TRAIL_TABLES, type TrailTable } from '../../authenticated/src/trail-digest.ts';
import { oldestTimelySeal } from '../../authenticated/src/watchdog-checks.ts';
import { notReachable } from '../account/protection.ts';
import { type CommandReason, reasonOf } from '../core/reason.ts';
import { LOGICAL_ID, PARAMETER } from '../core/stack.ts';
import type { DeclaredStack } from '../core/stack-template.ts';
import { type CheckResult, fail, notChecked, ok } from './checks.ts';

const BUDGET_MS = 10_000;
const budget = () => ({ abortSignal: AbortSignal.timeout(BUDGET_MS) });

/** The sealer's settings that say which tables it seals, how often, and with how much grace (template.yaml). */
const SEALED_TABLE_VARIABLES: Record<TrailTable, string> = {
  'sign-ins': 'SIGN_IN_TABLE',
  'auth-events': 'AUTH_EVENTS_TABLE',
};

/** What the integrity part of a deployed stack declares. */
export interface IntegrityTarget {
  bucket: string;
  /** The bucket's declared default retention: COMPLIANCE mode, this many days. */
  lock: { mode: string; days: number };
  key: { arn: string; usage: string; spec: string };
  seal: { intervalMinutes: number; graceMinutes: number; tables: TrailTable[] };
  sealerLogGroup?: string;
  /** When the stack was last deployed: before that plus a seal's time, no digest is due yet. */
  deployedAt?: string;
}

/** The stack's integrity part, or why it is not checked (deployed without it, or unreadable here). */
export function integrityTargetOf(stack: DeclaredStack): IntegrityTarget | { reason: CommandReason } {
  const bucket = stack.physicalIds[LOGICAL_ID.digestBucket];
  const keyId = stack.physicalIds[LOGICAL_ID.signingKey];
  if (!bucket || !keyId) return { reason: { code: 'not-deployed', part: PARAMETER.integrity } };
  /** One resolved property of one of the stack's resources (an Error that says why it cannot be read). */
  const declared = (logicalId: string, property: string, ...types: string[]) => {
    const resource = types
      .flatMap((type) => stack.resourcesOfType(type))
      .find((r) => r.logicalId === logicalId);
    if (!resource) throw new Error(`${logicalId} is not in the stack`);
    const why = resource.unresolvable[property];
    if (why) throw new Error(`${logicalId}.${property}: ${why}`);
    return resource.properties[property];
  };
  try {
    const lock = asRecord(declared(LOGICAL_ID.digestBucket, 'ObjectLockConfiguration', 'AWS::S3::Bucket'));
    const retention = asRecord(asRecord(lock?.Rule)?.DefaultRetention);
    const usage = declared(LOGICAL_ID.signingKey, 'KeyUsage', 'AWS::KMS::Key');
    const spec = declared(LOGICAL_ID.signingKey, 'KeySpec', 'AWS::KMS::Key');
    const sealer = asRecord(
      asRecord(
        declared(LOGICAL_ID.sealer, 'Environment', 'AWS::Lambda::Function', 'AWS::Serverless::Function'),
      )?.Variables,
    );
    const intervalMinutes = Number(sealer?.SEAL_INTERVAL_MINUTES);
    const graceMinutes = Number(sealer?.SEAL_GRACE_MINUTES);
    if (!Number.isFinite(intervalMinutes) || !Number.isFinite(graceMinutes)) {
      throw new Error(`${LOGICAL_ID.sealer} declares no SEAL_INTERVAL_MINUTES and SEAL_GRACE_MINUTES`);
    }
    return {
      bucket,
      lock: {
        mode: String(retention?.Mode ?? 'none'),
        days: Number(retention?.Days ?? 0) + Number(retention?.Years ?? 0) * 365,
      },
      key: {
        arn: String(stack.resolved({ 'Fn::GetAtt': [LOGICAL_ID.signingKey, 'Arn'] })),
        // KMS's defaults, when the template names none.
        usage: String(usage ?? 'ENCRYPT_DECRYPT'),
        spec: String(spec ?? 'SYMMETRIC_DEFAULT'),
      },
      seal: {
        intervalMinutes,
        graceMinutes,
        tables: TRAIL_TABLES.filter((table) => sealer?.[SEALED_TABLE_VARIABLES[table]] !== undefined),
      },
      ...(stack.physicalIds[LOGICAL_ID.sealerLogGroup]
        ? { sealerLogGroup: stack.physicalIds[LOGICAL_ID.sealerLogGroup] }
        : {}),
      ...(stack.deployedAt ? { deployedAt: stack.deployedAt } : {}),
    };
  } catch (error) {
    return { reason: { code: 'unresolvable', message: (error as Error).message } };
  }
}

/** S3 reports a default retention in days or in years. */
const daysOf = (retention: { Days?: number; Years?: number } | undefined) =>
  (retention?.Days ?? 0) + (retention?.Years ?? 0) * 365;

export async function checkDigestBucket(target: IntegrityTarget, s3: S3Client): Promise<CheckResult> {
  const check = 'digest bucket';
  const blocked = notReachable('s3');
  if (blocked) return notChecked(check, blocked);
  const { bucket, lock } = target;
  const declared = `${lock.mode} mode for ${lock.days} days`;
  const fix = `aws s3api put-object-lock-configuration --bucket ${bucket} --object-lock-configuration '${JSON.stringify(
    {
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: lock.mode, Days: lock.days } },
    },
  )}'`;
  // Object Lock is turned on for an existing bucket only over versioning (the template's bucket has it).
  const enable = `aws s3api put-bucket-versioning --bucket ${bucket} --versioning-configuration Status=Enabled && ${fix}`;
  try {
    const live = (await s3.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }), budget()))
      .ObjectLockConfiguration;
    const retention = live?.Rule?.DefaultRetention;
    if (live?.ObjectLockEnabled !== 'Enabled' || !retention?.Mode) {
      return fail(
        check,
        `${bucket} locks no new digest by default (declared ${declared}): a digest could be deleted or overwritten`,
        live?.ObjectLockEnabled === 'Enabled' ? fix : enable,
      );
    }
    const days = daysOf(retention);
    if (retention.Mode !== lock.mode || days < lock.days) {
      return fail(
        check,
        `${bucket} locks new digests in ${retention.Mode} mode for ${days} days, declared ${declared}`,
        fix,
      );
    }
    return ok(
      check,
      `${bucket} locks every new digest in ${retention.Mode} mode for ${days} days, as declared`,
    );
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'ObjectLockConfigurationNotFoundError') {
      return fail(
        check,
        `${bucket} has no Object Lock (declared ${declared}): a digest could be deleted or overwritten`,
        enable,
      );
    }
    if (name === 'NoSuchBucket') {
      return fail(check, `${bucket} does not exist: no digest is kept`, 'redeploy the stack (sam deploy)');
    }
    return notChecked(check, reasonOf(error, BUDGET_MS));
  }
}

export async function checkSigningKey(target: IntegrityTarget, kms: KMSClient): Promise<CheckResult> {
  const check = 'signing key';
  const blocked = notReachable('kms');
  if (blocked) return notChecked(check, blocked);
  const { arn, usage, spec } = target.key;
  try {
    const key = (await kms.send(new DescribeKeyCommand({ KeyId: arn }), budget())).KeyMetadata;
    if (!key) return notChecked(check, { code: 'not-reported', field: 'KeyMetadata' });
    for (const field of ['KeyState', 'KeyUsage', 'KeySpec'] as const) {
      if (!key[field]) return notChecked(check, { code: 'not-reported', field });
    }
    if (key.KeyUsage !== usage || key.KeySpec !== spec) {
      return fail(
        check,
        `${arn} is a ${key.KeyUsage} ${key.KeySpec} key, declared ${usage} ${spec}: the sealer cannot sign with it`,
        'redeploy the stack (sam deploy)',
      );
    }
    switch (key.KeyState) {
      case 'Enabled':
        return ok(check, `${arn} is enabled, ${key.KeyUsage} ${key.KeySpec}`);
      case 'Disabled':
        return fail(
          check,
          `${arn} is disabled: nothing is sealed while it is`,
          `aws kms enable-key --key-id ${arn}`,
        );
      case 'PendingDeletion':
        return fail(
          check,
          `${arn} is scheduled for deletion${key.DeletionDate ? ` on ${key.DeletionDate.toISOString()}` : ''}: nothing is sealed, and no digest could be signed on with it`,
          `aws kms cancel-key-deletion --key-id ${arn} && aws kms enable-key --key-id ${arn}`,
        );
      default:
        return fail(
          check,
          `${arn} is ${key.KeyState}: the sealer cannot sign with it`,
          `aws kms describe-key --key-id ${arn} (docs/integrity.md)`,
        );
    }
  } catch (error) {
    if ((error as Error).name === 'NotFoundException') {
      return fail(check, `${arn} does not exist: nothing is sealed`, 'redeploy the stack (sam deploy)');
    }
    return notChecked(check, reasonOf(error, BUDGET_MS));
  }
}

/**
 * One result per sealed table: its newest digest signed by the stack's key ends no earlier than the watchdog
 * allows (two seal intervals, the grace and five minutes before now). With no digest, a stack deployed too
 * recently for one to be due is not checked; an older one FAILs.
 */
export async function checkSeals(
  target: IntegrityTarget,
  clients: { s3: S3Client; kms: KMSClient },
  now: Date,
): Promise<CheckResult[]> {
  const { intervalMinutes, graceMinutes, tables } = target.seal;
  const blocked = notReachable('s3') ?? notReachable('kms');
  if (blocked) return tables.map((table) => notChecked(`seal of ${table}`, blocked));
  let publicKey: KeyObject;
  try {
    const answer = await clients.kms.send(new GetPublicKeyCommand({ KeyId: target.key.arn }), budget());
    if (!answer.PublicKey) throw Object.assign(new Error('no PublicKey'), { name: 'NoPublicKey' });
    publicKey = createPublicKey({ key: Buffer.from(answer.PublicKey), format: 'der', type: 'spki' });
  } catch (error) {
    const reason: CommandReason =
      (error as Error).name === 'NoPublicKey'
        ? { code: 'not-reported', field: 'PublicKey' }
        : reasonOf(error, BUDGET_MS);
    return tables.map((table) => notChecked(`seal of ${table}`, reason));
  }
  const store = s3DigestStore(clients.s3, target.bucket, budget);
  const latest = oldestTimelySeal(now.getTime(), intervalMinutes, graceMinutes);
  const cadence = `sealed every ${intervalMinutes} minutes with ${graceMinutes} minutes' grace`;
  const fix = `look at the sealer's errors${target.sealerLogGroup ? ` (log group ${target.sealerLogGroup})` : ''} and the trail's dead-letter queue; the watchdog's seal alarm says the same (docs/integrity.md)`;
  const results: CheckResult[] = [];
  for (const table of tables) {
    const check = `seal of ${table}`;
    try {
      const newest = await store.head(
        table,
        now.toISOString().slice(0, 10),
        (stored) =>
          stored.digest.signingKeyArn === target.key.arn && signatureVerifies(stored.sealed, publicKey),
      );
      const end = newest?.digest.intervalEnd;
      if (end && Date.parse(end) >= latest) {
        results.push(ok(check, `the newest digest, signed by the stack's key, ends at ${end} (${cadence})`));
      } else if (end) {
        results.push(
          fail(
            check,
            `the newest digest signed by the stack's key ends at ${end}; one ending after ${new Date(latest).toISOString()} was due (${cadence})`,
            fix,
          ),
        );
      } else {
        const dueBy = target.deployedAt
          ? new Date(Date.parse(target.deployedAt) + (now.getTime() - latest)).toISOString()
          : undefined;
        results.push(
          dueBy && Date.parse(dueBy) < now.getTime()
            ? fail(
                check,
                `no digest signed by the stack's key, and one was due by ${dueBy} (deployed ${target.deployedAt})`,
                fix,
              )
            : notChecked(check, { code: 'not-sealed-yet', table, ...(dueBy ? { dueBy } : {}) }),
        );
      }
    } catch (error) {
      results.push(notChecked(check, reasonOf(error, BUDGET_MS)));
    }
  }
  return results;
}

/**
 * The trail's sealing on local engines: a KMS signing key and an Object Lock bucket on moto (as the template
 * declares them: ECC_NIST_P256 / SIGN_VERIFY, compliance mode), and the sealer's behaviour run against them
 * and a local DynamoDB (dynalite or moto). For the tamper tests and `npm run local-stack -- seal`.
 */
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateBucketCommand,
  PutObjectLockConfigurationCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { s3DigestStore } from '../../authenticated/src/digest-store.ts';
import type { IntervalSource } from '../../authenticated/src/interval-items.ts';
import { kmsSigner } from '../../authenticated/src/kms-signer.ts';
import type { Logger } from '../../authenticated/src/log.ts';
import { type SealedUpTo, sealTrail } from '../../authenticated/src/seal-intervals.ts';
import { localClientConfig } from './local-clients.ts';

export interface LocalDigests {
  bucket: string;
  keyArn: string;
  endpoint: string;
}

/** A signing key and a digest bucket on moto at `endpoint`; `locked: false` leaves Object Lock off. */
export async function createLocalDigests(
  endpoint: string,
  options: { bucket?: string; retentionDays?: number; locked?: boolean } = {},
): Promise<LocalDigests> {
  const kms = new KMSClient(localClientConfig(endpoint));
  const s3 = new S3Client({ ...localClientConfig(endpoint), forcePathStyle: true });
  try {
    const key = await kms.send(
      new CreateKeyCommand({
        KeySpec: 'ECC_NIST_P256',
        KeyUsage: 'SIGN_VERIFY',
        Description: 'local stand-in for the stack signing key',
      }),
    );
    const bucket = options.bucket ?? `login-history-digests-${Date.now().toString(36)}`;
    await s3.send(
      new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: options.locked ?? true }),
    );
    if (options.locked ?? true) {
      await s3.send(
        new PutObjectLockConfigurationCommand({
          Bucket: bucket,
          ObjectLockConfiguration: {
            ObjectLockEnabled: 'Enabled',
            Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: options.retentionDays ?? 365 } },
          },
        }),
      );
    }
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: bucket,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      }),
    );
    return { bucket, keyArn: key.KeyMetadata?.Arn as string, endpoint };
  } finally {
    kms.destroy();
    s3.destroy();
  }
}

/** The S3 client the local digests are read and written with (moto needs path-style addressing). */
export const localS3 = (endpoint: string) =>
  new S3Client({ ...localClientConfig(endpoint), forcePathStyle: true });

/** Seals the sources' records from `genesis` (when a table has no digest yet) up to `until`. */
export async function sealLocally(
  digests: LocalDigests,
  doc: DynamoDBDocumentClient,
  sources: IntervalSource[],
  options: { genesis: number; until: number; intervalMinutes?: number; log?: Logger },
): Promise<SealedUpTo[]> {
  const s3 = localS3(digests.endpoint);
  const kms = new KMSClient(localClientConfig(digests.endpoint));
  try {
    return await sealTrail(
      {
        query: (input) => doc.send(new QueryCommand(input)),
        store: s3DigestStore(s3, digests.bucket),
        signer: kmsSigner(kms, digests.keyArn),
        log: options.log ?? (() => undefined),
      },
      {
        sources,
        intervalMinutes: options.intervalMinutes ?? 15,
        graceMinutes: 0,
        maxIntervalsPerRun: 100_000,
      },
      options.until,
      { until: options.until, genesis: options.genesis },
    );
  } finally {
    s3.destroy();
    kms.destroy();
  }
}

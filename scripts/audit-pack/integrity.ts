/**
 * The pack's integrity part: verify-trail run over the period (signatures, chain, sealed items against the
 * tables), and what an auditor needs to check the digests without us - each digest's signed text and
 * signature (digests.jsonl), the public key, and the verdict (integrity.json).
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { IntervalSource } from '../../authenticated/src/interval-items.ts';
import { PUBLIC_KEY_PREFIX } from '../../authenticated/src/trail-digest.ts';
import { CommandError } from '../core/cli.ts';
import { clientConfig } from '../core/clients.ts';
import { type Verdict, verifyTrail } from '../records/trail.ts';
import type { IntegrityAbsent, IntegritySummary } from './summary.ts';

/** Where the digests are (and the key they must be signed with, when the stack names it), or why none. */
/** Where the sealed digests are, with the tables' reader verify-trail uses; or why the pack has none. */
export type IntegritySource =
  | { bucket: string; signingKeyArn?: string; reader: DynamoDBDocumentClient; shards: number }
  | { absent: IntegrityAbsent };

export interface IntegrityPart {
  summary: IntegritySummary;
  /** The files it adds to the pack (name → text); none when the stack seals no digests. */
  files: Record<string, string>;
}

async function publicKeyPem(s3: S3Client, kms: KMSClient, bucket: string, signingKeyArn?: string) {
  if (signingKeyArn) {
    const answer = await kms.send(new GetPublicKeyCommand({ KeyId: signingKeyArn }));
    return createPublicKey({ key: Buffer.from(answer.PublicKey ?? []), format: 'der', type: 'spki' }).export({
      type: 'spki',
      format: 'pem',
    }) as string;
  }
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: PUBLIC_KEY_PREFIX }));
  const keys = (listed.Contents ?? []).map((o) => o.Key as string).filter((k) => k.endsWith('.pem'));
  if (keys.length !== 1) {
    throw new CommandError(
      `digest bucket ${bucket} holds ${keys.length} public keys; give --stack-name so that the stack names its signing key`,
    );
  }
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: keys[0] }));
  return (object.Body as { transformToString(): Promise<string> }).transformToString();
}

export function summaryOf(verdict: Verdict): IntegritySummary {
  const count = (test: (d: Verdict['differences'][number]) => boolean) =>
    verdict.differences.filter(test).length;
  return {
    recorded: true,
    intervals: verdict.tables.reduce((n, t) => n + t.intervals, 0),
    verifiedIntervals: verdict.tables.reduce((n, t) => n + t.verifiedIntervals, 0),
    sealedItems: verdict.tables.reduce((n, t) => n + t.sealedItems, 0),
    altered: count((d) => d.kind === 'altered'),
    erased: count((d) => d.explanation?.code === 'erasure'),
    expired: count((d) => d.explanation?.code === 'ttl'),
    replayed: count((d) => d.explanation?.code === 'replay'),
    unexplained: count((d) => !d.explanation),
    unsealedMs: verdict.tables.reduce(
      (n, t) => n + t.unsealed.reduce((m, u) => m + (Date.parse(u.end) - Date.parse(u.start)), 0),
      0,
    ),
    intact: verdict.intact,
  };
}

export async function integrityOfPeriod(options: {
  source: IntegritySource;
  region: string | undefined;
  sources: IntervalSource[];
  from: string;
  to: string;
  now?: () => Date;
  progress?: (stage: string, done: number, total?: number) => void;
}): Promise<IntegrityPart> {
  if ('absent' in options.source)
    return { summary: { recorded: false, reason: options.source.absent }, files: {} };
  const { bucket, signingKeyArn, reader } = options.source;
  const s3 = new S3Client(clientConfig(options.region));
  const kms = new KMSClient(clientConfig(options.region));
  try {
    const pem = await publicKeyPem(s3, kms, bucket, signingKeyArn);
    const publicKey: KeyObject = createPublicKey(pem);
    const digests: string[] = [];
    const verdict = await verifyTrail(
      {
        doc: reader,
        s3,
        bucket,
        signInTable: options.sources[0]?.tableName as string,
        sources: options.sources,
        signingKey: { ...(signingKeyArn ? { arn: signingKeyArn } : {}), publicKey },
        ...(options.now ? { now: options.now } : {}),
        ...(options.progress ? { progress: options.progress } : {}),
        onDigest: (key, sealed) =>
          digests.push(JSON.stringify({ key, digest: sealed.digest, signature: sealed.signature })),
      },
      options.from,
      options.to,
    );
    return {
      summary: summaryOf(verdict),
      files: {
        digests: digests.length > 0 ? `${digests.join('\n')}\n` : '',
        publicKey: pem,
        integrity: `${JSON.stringify(verdict, null, 2)}\n`,
      },
    };
  } finally {
    s3.destroy();
    kms.destroy();
  }
}

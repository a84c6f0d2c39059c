/**
 * Where sealed digests live: an S3 bucket with Object Lock in compliance mode. One gzipped JSON object per
 * interval (trail-digest.ts), written only if the key is new (If-None-Match: *), so that a second sealer run
 * never replaces a digest; and the signing key's public key beside them, so that an auditor can check a
 * digest from the bucket alone.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  DIGEST_PREFIX,
  type Digest,
  digestDayPrefix,
  publicKeyKey,
  type SealedInterval,
  type TrailTable,
} from './trail-digest.ts';

/** An interval as stored and read back: the object, its sealed content and the digest parsed. */
export interface StoredDigest {
  key: string;
  sealed: SealedInterval;
  digest: Digest;
}

export function parseSealed(key: string, body: Uint8Array): StoredDigest {
  const sealed = JSON.parse(gunzipSync(body).toString('utf8')) as SealedInterval;
  if (
    typeof sealed?.digest !== 'string' ||
    typeof sealed.signature !== 'string' ||
    typeof sealed.leaves !== 'string'
  )
    throw new Error(`${key} is not a sealed interval (digest, signature, leaves)`);
  return { key, sealed, digest: JSON.parse(sealed.digest) as Digest };
}

const isPreconditionFailure = (error: unknown) => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e.name === 'PreconditionFailed' ||
    e.name === 'ConditionalRequestConflict' ||
    e.$metadata?.httpStatusCode === 412 ||
    e.$metadata?.httpStatusCode === 409
  );
};

export interface DigestStore {
  /**
   * The newest digest of the table's chain that `accept` takes (a digest signed by another key is skipped,
   * not continued), or undefined before the first seal.
   */
  head(
    table: TrailTable,
    today: string,
    accept?: (stored: StoredDigest) => boolean,
  ): Promise<StoredDigest | undefined>;
  read(key: string, versionId?: string): Promise<StoredDigest>;
  /** 'exists' when an object is already there (it is never replaced). */
  write(key: string, sealed: SealedInterval): Promise<'written' | 'exists'>;
  /** Stores the public key once (PEM); true when it was written now. */
  ensurePublicKey(keyId: string, pem: string): Promise<boolean>;
}

export function s3DigestStore(s3: S3Client, bucket: string, budget = () => ({})): DigestStore {
  const listKeys = async (prefix: string, all: boolean): Promise<string[]> => {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        budget(),
      );
      for (const object of page.Contents ?? []) if (object.Key?.endsWith('.json.gz')) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token && all);
    return keys;
  };
  const read = async (key: string, versionId?: string) => {
    const object = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
      budget(),
    );
    return parseSealed(
      key,
      await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
  };
  return {
    read,
    async head(table, today, accept = () => true) {
      // Keys sort by time: the newest is the last key of the latest day that has one. Today and yesterday
      // first (the sealer runs every few minutes); the whole table's prefix only after a long pause.
      const newestAccepted = async (keys: string[]) => {
        for (const key of keys.sort().reverse()) {
          const stored = await read(key).catch(() => undefined);
          if (stored && accept(stored)) return stored;
        }
        return undefined;
      };
      const yesterday = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
      for (const day of [today, yesterday]) {
        const found = await newestAccepted(await listKeys(digestDayPrefix(table, day), true));
        if (found) return found;
      }
      return newestAccepted(await listKeys(`${DIGEST_PREFIX}${table}/`, true));
    },
    async write(key, sealed) {
      try {
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: gzipSync(JSON.stringify(sealed)),
            ContentType: 'application/gzip',
            IfNoneMatch: '*',
          }),
          budget(),
        );
        return 'written';
      } catch (error) {
        if (isPreconditionFailure(error)) return 'exists';
        throw error;
      }
    },
    async ensurePublicKey(keyId, pem) {
      const key = publicKeyKey(keyId);
      try {
        await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), budget());
        return false;
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status !== 404) throw error;
      }
      try {
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: pem,
            ContentType: 'application/x-pem-file',
            IfNoneMatch: '*',
          }),
          budget(),
        );
        return true;
      } catch (error) {
        if (isPreconditionFailure(error)) return false;
        throw error;
      }
    },
  };
}

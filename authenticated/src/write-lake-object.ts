/**
 * The lake function's one write: a PutObject bounded in time (per-attempt socket timeouts, a few attempts,
 * and a deadline before the function's own timeout), so that a slow S3 fails the batch loudly (the stream
 * retries it) instead of timing out without a word.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

export const LAKE_WRITE_LIMITS = { connectionTimeoutMs: 2000, requestTimeoutMs: 20_000, maxAttempts: 4 };

export const createLakeS3Client = (): S3Client =>
  new S3Client({
    maxAttempts: LAKE_WRITE_LIMITS.maxAttempts,
    requestHandler: {
      connectionTimeout: LAKE_WRITE_LIMITS.connectionTimeoutMs,
      requestTimeout: LAKE_WRITE_LIMITS.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  });

export type LakeObjectWriter = (key: string, body: Uint8Array, budgetMs: number) => Promise<void>;

export class LakeWriteTimeoutError extends Error {
  override readonly name = 'LakeWriteTimeoutError';
}

/** A PutObject into the bucket; the same key again replaces the object (a retried batch writes the same names). */
export function createLakeObjectWriter(client: S3Client, bucket: string): LakeObjectWriter {
  return async (key, body, budgetMs) => {
    if (budgetMs <= 0) throw new LakeWriteTimeoutError('no time left before the function timeout');
    const deadline = AbortSignal.timeout(budgetMs);
    try {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: 'application/vnd.apache.parquet',
        }),
        { abortSignal: deadline },
      );
    } catch (error) {
      if (deadline.aborted)
        throw new LakeWriteTimeoutError(`S3 did not answer within ${budgetMs} ms`, { cause: error });
      throw error;
    }
  };
}

/**
 * Removing one person's rows from the lake (`npm run erase`): in each day folder where they have records, every
 * object is read (hyparquet, pure JavaScript), and one that holds their rows is written again without them by
 * the lake's own writer (authenticated/src/ocsf-parquet.ts), or deleted when nothing else is left. Returns how
 * many rows went, per dataset, for the erasure record. Idempotent: a second run finds nothing to remove.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { parquetReadObjects } from 'hyparquet';
import { LAKE_SOURCE } from '../../authenticated/src/lake-layout.ts';
import { LOG_NAME, type LogName, type OcsfAuthentication } from '../../authenticated/src/ocsf.ts';
import { ocsfParquet } from '../../authenticated/src/ocsf-parquet.ts';
import { forEachBounded } from '../core/generic.ts';
import type { S3Location } from './s3-lake.ts';

/** Objects read at once. */
const CONCURRENCY = 8;

export type LakeRowCounts = Record<LogName, number>;

/** The sub-folders of a folder (`region=…/`, `accountId=…/`), by S3's delimiter listing. */
async function folders(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const found: string[] = [];
  for await (const page of paginateListObjectsV2(
    { client: s3 },
    { Bucket: bucket, Prefix: prefix, Delimiter: '/' },
  )) {
    for (const common of page.CommonPrefixes ?? []) if (common.Prefix) found.push(common.Prefix);
  }
  return found;
}

/** Every object of a dataset's given days, in each region and account folder the lake holds. */
async function objectsOf(s3: S3Client, location: S3Location, logName: LogName, days: readonly string[]) {
  const keys: string[] = [];
  const source = `${location.prefix}ext/${LAKE_SOURCE[logName]}/`;
  for (const region of await folders(s3, location.bucket, source)) {
    for (const account of await folders(s3, location.bucket, region)) {
      for (const day of new Set(days)) {
        for await (const page of paginateListObjectsV2(
          { client: s3 },
          { Bucket: location.bucket, Prefix: `${account}eventDay=${day}/` },
        )) {
          for (const object of page.Contents ?? [])
            if (object.Key?.endsWith('.parquet')) keys.push(object.Key);
        }
      }
    }
  }
  return keys;
}

/**
 * Whose rows go: a person's (their sub), or a source address's events that name no user (`erase --source-ip`,
 * the same rows the tables lose).
 */
export type LakeSubject = { sub: string } | { sourceIp: string };

const belongsTo = (subject: LakeSubject, row: OcsfAuthentication): boolean =>
  'sub' in subject
    ? row.user?.uid === subject.sub
    : !row.user?.uid &&
      (row.src_endpoint?.ip === subject.sourceIp || row.unmapped?.src_endpoint_ip === subject.sourceIp);

/** The subject's rows removed from the given days (YYYYMMDD) of each dataset. */
export async function eraseFromLake(
  s3: S3Client,
  location: S3Location,
  subject: LakeSubject,
  days: Readonly<Record<LogName, readonly string[]>>,
): Promise<LakeRowCounts> {
  const removed: LakeRowCounts = { [LOG_NAME.signIns]: 0, [LOG_NAME.authEvents]: 0 };
  for (const logName of Object.values(LOG_NAME)) {
    const keys = days[logName].length > 0 ? await objectsOf(s3, location, logName, days[logName]) : [];
    await forEachBounded(keys, CONCURRENCY, async (key) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: key }));
      const bytes = await (
        object.Body as { transformToByteArray(): Promise<Uint8Array> }
      ).transformToByteArray();
      const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      const rows = (await parquetReadObjects({ file })) as unknown as OcsfAuthentication[];
      const kept = rows.filter((row) => !belongsTo(subject, row));
      if (kept.length === rows.length) return undefined;
      removed[logName] += rows.length - kept.length;
      await s3.send(
        kept.length === 0
          ? new DeleteObjectCommand({ Bucket: location.bucket, Key: key })
          : new PutObjectCommand({
              Bucket: location.bucket,
              Key: key,
              Body: ocsfParquet(kept),
              ContentType: 'application/vnd.apache.parquet',
            }),
      );
      return undefined;
    });
  }
  return removed;
}

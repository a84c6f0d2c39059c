/**
 * A lake in S3 (`--lake s3://bucket/prefix`) brought to a local folder in the same layout, for DuckDB: only
 * the objects a question needs (each source up to a last day, from a first day), listed and downloaded with
 * the SDK at bounded concurrency. DuckDB's own S3 reader is an extension it downloads on first use; the
 * commands do not depend on reaching DuckDB's servers.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { LAKE_SOURCE } from '../../authenticated/src/lake-layout.ts';
import type { LogName } from '../../authenticated/src/ocsf.ts';
import { CommandError, UsageError } from '../core/cli.ts';
import { forEachBounded } from '../core/generic.ts';

export interface S3Location {
  bucket: string;
  /** The key prefix the layout starts under ('' or ending with '/'). */
  prefix: string;
}

/** Objects downloaded at once. */
const DOWNLOAD_CONCURRENCY = 16;

/** `s3://bucket` or `s3://bucket/prefix/`, as `option` gave it. */
export function s3Location(option: string, url: string): S3Location {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!match)
    throw new UsageError(`--${option} "${url}" is not an S3 URL (s3://bucket or s3://bucket/prefix)`);
  const prefix = (match[2] ?? '').replace(/^\/+/, '');
  return {
    bucket: match[1] as string,
    prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`,
  };
}

/** The eventDay of a key in the layout, or undefined when the key is not one of the layout's files. */
export function eventDayOfKey(key: string): string | undefined {
  return /\/eventDay=(\d{8})\/[^/]+\.parquet$/.exec(key)?.[1];
}

export interface SourceDays {
  logName: LogName;
  /** Inclusive bounds, YYYYMMDD; undefined: from the first day there is. */
  fromDay?: string;
  toDay: string;
}

/** Every object of the layout under `location` for these sources and days, copied under `folder`. */
export async function downloadLake(
  s3: S3Client,
  location: S3Location,
  folder: string,
  wanted: readonly SourceDays[],
  onProgress: (files: number) => void = () => undefined,
): Promise<number> {
  const keys: string[] = [];
  try {
    for (const { logName, fromDay, toDay } of wanted) {
      const prefix = `${location.prefix}ext/${LAKE_SOURCE[logName]}/`;
      for await (const page of paginateListObjectsV2(
        { client: s3 },
        { Bucket: location.bucket, Prefix: prefix },
      )) {
        for (const object of page.Contents ?? []) {
          const day = object.Key ? eventDayOfKey(object.Key) : undefined;
          if (day && day <= toDay && (!fromDay || day >= fromDay)) keys.push(object.Key as string);
        }
      }
    }
  } catch (error) {
    if ((error as Error).name === 'NoSuchBucket') {
      throw new CommandError(`bucket ${location.bucket} does not exist (check --lake and --region)`);
    }
    throw error;
  }
  let done = 0;
  await forEachBounded(keys, DOWNLOAD_CONCURRENCY, async (key) => {
    const target = join(folder, key.slice(location.prefix.length));
    mkdirSync(dirname(target), { recursive: true });
    const object = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: key }));
    await pipeline(object.Body as Readable, createWriteStream(target));
    onProgress(++done);
    return undefined;
  });
  return keys.length;
}

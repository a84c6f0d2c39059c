/**
 * The export: a period's records read from the tables (scripts/records), mapped to OCSF by the one mapping
 * (authenticated/src/ocsf.ts), and written as JSON Lines (both datasets merged, oldest first) or as Parquet in
 * the lake's layout (one file per source and day, streamed: memory holds one row group).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { fileWriter } from 'hyparquet-writer';
import { dayPrefix, eventDayOf } from '../../authenticated/src/lake-layout.ts';
import {
  authEventToOcsf,
  LOG_NAME,
  type LogName,
  type OcsfAuthentication,
  signInToOcsf,
} from '../../authenticated/src/ocsf.ts';
import { writeOcsfParquet } from '../../authenticated/src/ocsf-parquet.ts';
import { mergedBy, tapped } from '../core/generic.ts';
import { writeText } from '../core/output.ts';
import { authEventsOfPeriod } from '../records/auth-events.ts';
import type { RecordsOrigin } from '../records/origin.ts';
import { DAY_MS, dayOf, signInsBetween } from '../records/sign-ins.ts';

/** The name of the one file an export writes into each day's folder. */
export const EXPORT_FILE = 'export.parquet';

export interface ExportSource {
  reader: DynamoDBDocumentClient;
  table: string;
  shards: number;
  /** The authentication-events table, when the stack records them. */
  authEventsTable?: string;
  origin: RecordsOrigin;
}

/** One dataset's events of [fromIso, toIso] (ISO times, both included), oldest first. */
function eventsOf(source: ExportSource, logName: LogName, fromIso: string, toIso: string) {
  const context = source.origin;
  if (logName === LOG_NAME.signIns) {
    return (async function* () {
      for await (const item of signInsBetween(source.reader, source.table, source.shards, fromIso, toIso))
        yield signInToOcsf(item, context);
    })();
  }
  return (async function* () {
    if (!source.authEventsTable) return;
    for await (const record of authEventsOfPeriod(
      source.reader,
      source.authEventsTable,
      Date.parse(fromIso),
      Date.parse(toIso),
    ))
      yield authEventToOcsf(record, context);
  })();
}

/** The order of the merged stream: time, then the dataset, then the event's id, so a rerun writes the same lines. */
const orderKey = (e: OcsfAuthentication) =>
  `${String(e.time).padStart(15, '0')}#${e.metadata.log_name}#${e.metadata.uid}`;

/** JSON Lines on `stream`, both datasets merged oldest first; returns how many events were written. */
export async function writeJsonl(
  source: ExportSource,
  fromIso: string,
  toIso: string,
  stream: Writable,
  onEvent: () => void = () => undefined,
): Promise<number> {
  let count = 0;
  const merged = mergedBy(
    eventsOf(source, LOG_NAME.signIns, fromIso, toIso),
    eventsOf(source, LOG_NAME.authEvents, fromIso, toIso),
    orderKey,
  );
  for await (const event of merged) {
    await writeText(stream, `${JSON.stringify(event)}\n`);
    count++;
    onEvent();
  }
  return count;
}

/** The first item of a stream and the stream again from it, or undefined for an empty stream. */
async function peeked<T>(items: AsyncGenerator<T>): Promise<AsyncGenerator<T> | undefined> {
  const first = await items.next();
  if (first.done) return undefined;
  return (async function* () {
    yield first.value;
    yield* items;
  })();
}

export interface LakeExport {
  /** Files written, relative to the folder. */
  files: string[];
  counts: Record<LogName, number>;
}

/**
 * The period in the lake's layout under `out` (a new or empty folder): for each dataset and UTC day with
 * records, one Parquet file (`EXPORT_FILE`). A failure removes what this run wrote (all of `ext/`), so a half
 * export never passes for a whole one.
 */
export async function writeLakeFolder(
  source: ExportSource,
  fromIso: string,
  toIso: string,
  out: string,
  onEvent: () => void = () => undefined,
): Promise<LakeExport> {
  const result: LakeExport = { files: [], counts: { [LOG_NAME.signIns]: 0, [LOG_NAME.authEvents]: 0 } };
  const logNames = source.authEventsTable ? [LOG_NAME.signIns, LOG_NAME.authEvents] : [LOG_NAME.signIns];
  try {
    for (const logName of logNames) {
      for (
        let dayMs = Date.parse(`${fromIso.slice(0, 10)}T00:00:00.000Z`);
        dayOf(dayMs) <= toIso.slice(0, 10);
        dayMs += DAY_MS
      ) {
        const dayFrom = new Date(Math.max(dayMs, Date.parse(fromIso))).toISOString();
        const dayTo = new Date(Math.min(dayMs + DAY_MS - 1, Date.parse(toIso))).toISOString();
        const events = await peeked(eventsOf(source, logName, dayFrom, dayTo));
        if (!events) continue;
        const folder = dayPrefix(logName, source.origin.region, source.origin.accountId, eventDayOf(dayMs));
        mkdirSync(join(out, folder), { recursive: true });
        const file = `${folder}${EXPORT_FILE}`;
        result.files.push(file);
        const writer = fileWriter(join(out, file));
        result.counts[logName] += await writeOcsfParquet(writer, tapped(events, onEvent));
      }
    }
    return result;
  } catch (error) {
    rmSync(join(out, 'ext'), { recursive: true, force: true });
    throw error;
  }
}

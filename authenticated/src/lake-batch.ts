/**
 * The lake function's behaviour: a batch of DynamoDB stream records (new items of either table) becomes OCSF
 * events (ocsf.ts), one Parquet object per dataset and UTC day, in Security Lake's layout (lake-layout.ts).
 *
 * Idempotent: an object is named after the stream sequence number of its first record, so a retried batch
 * (whole, or halved by BisectBatchOnFunctionError) writes the same names again and replaces what it wrote
 * before; no record lands twice. A write that fails throws: the stream retries the batch, then hands its
 * position to the dead-letter queue (the alarm says so). Removals (TTL, erasure) are not copied: the lake
 * has its own expiry, and `npm run erase` removes a person's rows from it.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { type AuthEventItem, itemProblem, type LoginHistoryItem } from './contract.ts';
import type { LakeConfigResult } from './lake-config.ts';
import { dayPrefix, eventDayOf } from './lake-layout.ts';
import type { Logger } from './log.ts';
import { authEventToOcsf, LOG_NAME, type LogName, type OcsfAuthentication, signInToOcsf } from './ocsf.ts';
import { ocsfParquet } from './ocsf-parquet.ts';
import type { LakeObjectWriter } from './write-lake-object.ts';

/** Time kept back from the Lambda timeout to log and throw after an abandoned write. */
export const RESPONSE_RESERVE_MS = 1000;

export const WRITTEN = 'LAKE_OBJECTS_WRITTEN';
export const SKIPPED = 'LAKE_RECORD_SKIPPED';
export const WRITE_FAILED = 'LAKE_WRITE_FAILED';
export const CONFIG_INVALID = 'LAKE_CONFIG_INVALID';

export interface Dependencies {
  configResult: LakeConfigResult;
  putObject: LakeObjectWriter;
  log: Logger;
}

export type LakeHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<void>;

/** The table a stream record comes from: `arn:…:table/<name>/stream/<label>`. */
const tableOf = (record: DynamoDBRecord) =>
  /:table\/([^/]+)\/stream\//.exec(record.eventSourceARN ?? '')?.[1];

const AUTH_EVENT_FIELDS = ['eventTime', 'eventId', 'eventName', 'outcome', 'userPoolId'] as const;

/** The OCSF event of a new item, or why there is none. */
function eventOf(
  logName: LogName,
  item: Record<string, unknown>,
  context: { region: string; accountId: string },
): OcsfAuthentication | string {
  if (logName === LOG_NAME.signIns) {
    // The table's own partitions (erasure records, '#…') are no sign-ins; itemProblem says so.
    const problem = itemProblem(item);
    return problem ?? signInToOcsf(item as LoginHistoryItem, context);
  }
  const missing = AUTH_EVENT_FIELDS.filter((f) => typeof item[f] !== 'string');
  if (missing.length > 0 || Number.isNaN(Date.parse(String(item.eventTime)))) {
    return `the item lacks ${missing.join(', ') || 'a valid eventTime'}`;
  }
  return authEventToOcsf(item as unknown as AuthEventItem, context);
}

export function createLakeHandler({ configResult, putObject, log }: Dependencies): LakeHandler {
  const { config, problems } = configResult;
  const datasetOf = new Map<string, LogName>([[config.signInsTable, LOG_NAME.signIns]]);
  if (config.authEventsTable) datasetOf.set(config.authEventsTable, LOG_NAME.authEvents);

  return async (event, context) => {
    const requestId = context.awsRequestId;
    if (problems.length > 0) {
      log('error', {
        code: CONFIG_INVALID,
        message: 'invalid configuration; batch not written',
        problems,
        requestId,
      });
      throw new Error(`invalid configuration: ${problems.join('; ')}`);
    }

    // One object per dataset and day, named after its first record.
    const objects = new Map<string, { events: OcsfAuthentication[] }>();
    const firstOf = new Map<string, string>();
    for (const record of event.Records) {
      if (record.eventName !== 'INSERT') continue; // removals and (never expected) updates: see above
      const sequence = record.dynamodb?.SequenceNumber ?? '';
      const logName = datasetOf.get(tableOf(record) ?? '');
      const image = record.dynamodb?.NewImage;
      const mapped =
        logName && image
          ? eventOf(logName, unmarshall(image as Record<string, AttributeValue>), config)
          : `the record is not from ${[...datasetOf.keys()].join(' or ')}`;
      if (typeof mapped === 'string') {
        // Keys and sequence only (no attribute values): a record the lake cannot hold is logged, never dropped unseen.
        log(String(record.dynamodb?.Keys?.sub?.S ?? '').startsWith('#') ? 'debug' : 'warn', {
          code: SKIPPED,
          message: 'stream record not copied to the lake',
          reason: mapped,
          sequenceNumber: sequence,
          eventSourceARN: record.eventSourceARN,
          requestId,
        });
        continue;
      }
      const folder = dayPrefix(
        mapped.metadata.log_name,
        config.region,
        config.accountId,
        eventDayOf(mapped.time),
      );
      if (!firstOf.has(folder)) firstOf.set(folder, sequence);
      const group = objects.get(folder) ?? { events: [] };
      group.events.push(mapped);
      objects.set(folder, group);
    }

    let rows = 0;
    for (const [folder, { events }] of objects) {
      // Time order inside a file: readers skip row groups by their time statistics.
      events.sort((a, b) => a.time - b.time || (a.metadata.uid < b.metadata.uid ? -1 : 1));
      const key = `${folder}${firstOf.get(folder)}.parquet`;
      try {
        await putObject(key, ocsfParquet(events), context.getRemainingTimeInMillis() - RESPONSE_RESERVE_MS);
      } catch (error) {
        log('error', {
          code: WRITE_FAILED,
          message: 'lake object not written; the batch is retried, then goes to the dead-letter queue',
          key,
          rows: events.length,
          errorName: (error as Error).name,
          errorMessage: (error as Error).message,
          requestId,
        });
        throw error;
      }
      rows += events.length;
    }
    log('info', { code: WRITTEN, message: 'lake objects written', objects: objects.size, rows, requestId });
  };
}

/**
 * The change detector's behaviour: every MODIFY and REMOVE of either table (DynamoDB Streams; the event source
 * mapping's filter drops INSERTs) is judged. A recorded item is never modified, so every MODIFY is tampering.
 * A REMOVE is legitimate when DynamoDB's TTL made it (the stream record names the service) or when an erasure
 * announced the item's key hash before deleting it; any other REMOVE is tampering. Tampering is logged as
 * TRAIL_CHANGE_DETECTED, which a metric filter turns into an alarm; the line holds hashes and ids, never a
 * record's personal data. A failure to judge throws: Lambda retries, then the on-failure destination.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Logger } from './log.ts';
import { keyHashOf, type TrailTable } from './trail-digest.ts';

export const CHANGE_DETECTED = 'TRAIL_CHANGE_DETECTED';
export const CHANGE_EXPLAINED = 'TRAIL_CHANGE_EXPLAINED';

/** A DynamoDB Streams record as Lambda delivers it (the fields this function reads). */
export interface StreamRecord {
  eventID?: string;
  eventName?: 'INSERT' | 'MODIFY' | 'REMOVE' | string;
  eventSourceARN?: string;
  userIdentity?: { type?: string; principalId?: string };
  dynamodb?: { Keys?: Record<string, AttributeValue>; ApproximateCreationDateTime?: number };
}

export interface ChangeDetectorConfig {
  signInTable: string;
  authEventsTable?: string;
}

export interface ChangeDetectorDependencies {
  config: ChangeDetectorConfig;
  /** The key hashes erasures announced at or after `sinceIso` (contract.ts ErasureKeysRecord). */
  erasedKeyHashes(sinceIso: string): Promise<Set<string>>;
  log: Logger;
}

/** Only DynamoDB's own TTL deletions carry this identity (DynamoDB Developer Guide, "TTL and streams"). */
export const isTtlDeletion = (record: StreamRecord) =>
  record.userIdentity?.type === 'Service' && record.userIdentity.principalId === 'dynamodb.amazonaws.com';

/** The table a stream record comes from: `arn:…:table/<name>/stream/<label>`. */
export const tableNameOf = (arn: string | undefined) => /:table\/([^/]+)\/stream\//.exec(arn ?? '')?.[1];

/** An erasure's announcement may precede its deletions by this much (a long erasure, a resumed one). */
const ANNOUNCEMENT_WINDOW_MS = 2 * 86_400_000;

export function createChangeDetector(deps: ChangeDetectorDependencies) {
  const { config, log } = deps;
  const tableOf = (name: string | undefined): TrailTable | undefined =>
    name === config.signInTable
      ? 'sign-ins'
      : name !== undefined && name === config.authEventsTable
        ? 'auth-events'
        : undefined;

  return async (event: { Records?: StreamRecord[] }): Promise<{ detected: number; explained: number }> => {
    let erased: Set<string> | undefined;
    let detected = 0;
    let explained = 0;
    for (const record of event.Records ?? []) {
      const tableName = tableNameOf(record.eventSourceARN);
      const table = tableOf(tableName);
      const keys = record.dynamodb?.Keys ? unmarshall(record.dynamodb.Keys) : undefined;
      const ids = {
        table: table ?? tableName,
        eventName: record.eventName,
        eventId: record.eventID,
        ...(table && keys ? { keyHash: keyHashOf(table, keys) } : {}),
        ...(record.dynamodb?.ApproximateCreationDateTime
          ? { changedAt: new Date(record.dynamodb.ApproximateCreationDateTime * 1000).toISOString() }
          : {}),
      };
      if (record.eventName === 'INSERT') continue;
      let reason: 'ttl' | 'erasure' | undefined;
      if (record.eventName === 'REMOVE' && isTtlDeletion(record)) reason = 'ttl';
      else if (record.eventName === 'REMOVE' && ids.keyHash) {
        const changedAt = (record.dynamodb?.ApproximateCreationDateTime ?? Date.now() / 1000) * 1000;
        erased ??= await deps.erasedKeyHashes(new Date(changedAt - ANNOUNCEMENT_WINDOW_MS).toISOString());
        if (erased.has(ids.keyHash)) reason = 'erasure';
      }
      if (reason) {
        explained++;
        // TTL removes every expired item: one line each would cost log ingestion per item, so DEBUG.
        log(reason === 'ttl' ? 'debug' : 'info', {
          code: CHANGE_EXPLAINED,
          message: `removal explained: ${reason}`,
          reason,
          ...ids,
        });
      } else {
        detected++;
        log('error', {
          code: CHANGE_DETECTED,
          message:
            record.eventName === 'MODIFY'
              ? 'a recorded item was modified'
              : 'a recorded item was removed, neither by TTL nor by an announced erasure',
          ...ids,
        });
      }
    }
    return { detected, explained };
  };
}

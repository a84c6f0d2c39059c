/**
 * Replay's announcements: before a page of missed sign-ins is put, one replay record (contract.ts) lists
 * their leaves, `<key hash> <item hash>`, so that verify-trail explains their late arrival in an interval
 * that is already sealed. Written as the replay role, which alone may write the '#replays' partition, and
 * never over another record.
 */
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type LoginHistoryItem, REPLAY_PARTITION, type ReplayRecord } from '#contract';
import { itemHashOf, keyHashOf } from '../../authenticated/src/trail-digest.ts';
import type { Announce } from './replay.ts';

export const replayLeafOf = (item: LoginHistoryItem) => `${keyHashOf('sign-ins', item)} ${itemHashOf(item)}`;

export function replayRecord(
  items: LoginHistoryItem[],
  run: { replayedAt: string; runId: string; replayedBy: string },
  page: number,
): ReplayRecord {
  return {
    sub: REPLAY_PARTITION,
    signInId: `${run.replayedAt}#${run.runId}#${String(page).padStart(6, '0')}`,
    kind: 'replay',
    replayedAt: run.replayedAt,
    replayedBy: run.replayedBy,
    leaves: items.map(replayLeafOf),
  };
}

export function announcer(
  doc: DynamoDBDocumentClient,
  table: string,
  run: { replayedAt: string; runId: string; replayedBy: string },
): Announce {
  let page = 0;
  return async (items) => {
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: replayRecord(items, run, ++page),
        ConditionExpression: 'attribute_not_exists(signInId)',
      }),
    );
  };
}

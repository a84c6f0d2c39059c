/** Reading the login history: one user's sign-ins, or one day's across every shard, newest first. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

export type HistoryItem = Record<string, unknown> & { sub: string; signInId: string; signedInAt: string };

export const DAY_INDEX = 'byDay';

export function createReader(region?: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(region ? { region } : {}));
}

async function queryAll(
  doc: DynamoDBDocumentClient,
  input: QueryCommandInput,
  limit: number,
): Promise<HistoryItem[]> {
  const items: HistoryItem[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        ...input,
        ScanIndexForward: false,
        ExclusiveStartKey: start,
        Limit: limit - items.length,
      }),
    );
    items.push(...((page.Items ?? []) as HistoryItem[]));
    start = page.LastEvaluatedKey;
  } while (start && items.length < limit);
  return items;
}

export function historyOfUser(doc: DynamoDBDocumentClient, table: string, sub: string, limit: number) {
  return queryAll(
    doc,
    {
      TableName: table,
      KeyConditionExpression: '#sub = :sub',
      ExpressionAttributeNames: { '#sub': 'sub' },
      ExpressionAttributeValues: { ':sub': sub },
    },
    limit,
  );
}

/** Every shard of the day, merged newest first (each shard is already ordered by signInId). */
export async function historyOfDay(
  doc: DynamoDBDocumentClient,
  table: string,
  day: string,
  shards: number,
  limit: number,
): Promise<HistoryItem[]> {
  const perShard = await Promise.all(
    Array.from({ length: shards }, (_, shard) =>
      queryAll(
        doc,
        {
          TableName: table,
          IndexName: DAY_INDEX,
          KeyConditionExpression: 'dayShard = :d',
          ExpressionAttributeValues: { ':d': `${day}#${shard}` },
        },
        limit,
      ),
    ),
  );
  return perShard
    .flat()
    .sort((a, b) => (a.signInId < b.signInId ? 1 : a.signInId > b.signInId ? -1 : 0))
    .slice(0, limit);
}

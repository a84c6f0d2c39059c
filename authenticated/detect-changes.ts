/**
 * DynamoDB Streams target (both tables): raises TRAIL_CHANGE_DETECTED, and with it the alarm, for every
 * change to a recorded item that is neither a TTL deletion nor an announced erasure.
 * Entry file: wiring only. Configuration and the SDK client are created once per container.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createChangeDetector } from './src/detect-changes.ts';
import { erasureAnnouncements } from './src/erasure-announcements.ts';
import { createJsonLineLogger } from './src/log.ts';

const log = createJsonLineLogger(process.env.AWS_LAMBDA_LOG_LEVEL);
const signInTable = process.env.SIGN_IN_TABLE ?? '';
if (!signInTable) throw new Error('SIGN_IN_TABLE is not set');
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 5 }));

export const handler = createChangeDetector({
  config: {
    signInTable,
    ...(process.env.AUTH_EVENTS_TABLE ? { authEventsTable: process.env.AUTH_EVENTS_TABLE } : {}),
  },
  erasedKeyHashes: erasureAnnouncements((input) => doc.send(new QueryCommand(input)), signInTable),
  log,
});

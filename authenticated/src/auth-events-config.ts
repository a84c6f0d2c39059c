/**
 * The auth-events function's configuration, read and validated once per container (at import time).
 * Unlike the sign-in trigger nobody waits on this function, so an invalid configuration fails every event:
 * Lambda retries, then the event lands in the dead-letter queue, where it waits to be replayed.
 */
import { DEFAULT_RETENTION_DAYS, MAX_RETENTION_DAYS } from './config.ts';

export interface AuthEventsConfig {
  tableName: string;
  retentionDays: number;
  /** The pool whose sign-ins are recorded (template: from CognitoUserPoolArn). */
  userPoolId: string;
  /** The pool's app client ids (template: AuthEventsClientIds). */
  clientIds: string[];
}

export interface AuthEventsConfigResult {
  config: AuthEventsConfig;
  problems: string[];
}

const TABLE_NAME_PATTERN = /^[A-Za-z0-9_.-]{3,255}$/;
// Cognito: `<region>_<id>`; app client ids: 1-128 word characters (+ and = are allowed by the API).
const USER_POOL_ID_PATTERN = /^[\w-]+_[0-9a-zA-Z]+$/;
const CLIENT_ID_PATTERN = /^[\w+]+$/;

export function readAuthEventsConfig(env: Record<string, string | undefined>): AuthEventsConfigResult {
  const problems: string[] = [];
  const tableName = env.TABLE_NAME ?? '';
  if (!TABLE_NAME_PATTERN.test(tableName)) {
    problems.push(`TABLE_NAME ${JSON.stringify(tableName)} is not a DynamoDB table name`);
  }
  const userPoolId = env.USER_POOL_ID ?? '';
  if (!USER_POOL_ID_PATTERN.test(userPoolId)) {
    problems.push(`USER_POOL_ID ${JSON.stringify(userPoolId)} is not a user pool id`);
  }
  const clientIds = (env.CLIENT_IDS ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  const badClients = clientIds.filter((id) => id.length > 128 || !CLIENT_ID_PATTERN.test(id));
  if (clientIds.length === 0)
    problems.push("CLIENT_IDS is empty (the pool's app client ids, comma-separated)");
  if (badClients.length > 0)
    problems.push(`CLIENT_IDS holds ${badClients.map((id) => JSON.stringify(id)).join(', ')}`);
  const rawRetention = env.RETENTION_DAYS ?? '';
  let retentionDays = DEFAULT_RETENTION_DAYS;
  if (rawRetention !== '') {
    if (/^\d+$/.test(rawRetention) && Number(rawRetention) <= MAX_RETENTION_DAYS) {
      retentionDays = Number(rawRetention);
    } else {
      problems.push(
        `RETENTION_DAYS must be a whole number from 0 to ${MAX_RETENTION_DAYS}, got "${rawRetention}"`,
      );
    }
  }
  return { config: { tableName, retentionDays, userPoolId, clientIds }, problems };
}

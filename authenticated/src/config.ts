/**
 * Function configuration, read and validated once per container (at import time).
 *
 * An invalid configuration must not lock users out: instead of throwing at init (which would fail every
 * sign-in), it yields `problems`, and the handler routes every sign-in through the write-failure policy,
 * so the items still reach the failure log and can be replayed.
 */
export type OnWriteFailure = 'allow' | 'deny';

export interface Config {
  /** DynamoDB table that holds the login history. */
  tableName: string;
  /** Days until an item expires through DynamoDB TTL; 0 keeps items forever. */
  retentionDays: number;
  /** What a failed write does to the sign-in: `allow` lets it through, `deny` fails it. */
  onWriteFailure: OnWriteFailure;
  /** Number of write shards per day in the day index (spreads one day over several partitions). */
  dayIndexShards: number;
}

export interface ConfigResult {
  config: Config;
  /** Human-readable problems, one per invalid variable; empty when the configuration is valid. */
  problems: string[];
}

export const DEFAULT_RETENTION_DAYS = 365;
export const MAX_RETENTION_DAYS = 36_500;
export const MAX_DAY_INDEX_SHARDS = 100;

// DynamoDB table names: 3-255 characters of a-z, A-Z, 0-9, '_', '-', '.'.
const TABLE_NAME_PATTERN = /^[A-Za-z0-9_.-]{3,255}$/;

type Env = Record<string, string | undefined>;

function readInteger(
  env: Env,
  name: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
    return fallback;
  }
  return Number(raw);
}

export function readConfig(env: Env): ConfigResult {
  const problems: string[] = [];

  const tableName = env.TABLE_NAME ?? '';
  if (tableName === '') {
    problems.push('TABLE_NAME is not set (template.yaml sets it to the login-history table)');
  } else if (!TABLE_NAME_PATTERN.test(tableName)) {
    problems.push(`TABLE_NAME "${tableName}" is not a valid DynamoDB table name`);
  }

  const rawPolicy = env.ON_WRITE_FAILURE ?? 'allow';
  let onWriteFailure: OnWriteFailure = 'allow';
  if (rawPolicy === 'allow' || rawPolicy === 'deny') {
    onWriteFailure = rawPolicy;
  } else {
    problems.push(`ON_WRITE_FAILURE must be "allow" or "deny", got "${rawPolicy}" (using "allow")`);
  }

  const retentionDays = readInteger(
    env,
    'RETENTION_DAYS',
    DEFAULT_RETENTION_DAYS,
    0,
    MAX_RETENTION_DAYS,
    problems,
  );
  const dayIndexShards = readInteger(env, 'DAY_INDEX_SHARDS', 1, 1, MAX_DAY_INDEX_SHARDS, problems);

  return { config: { tableName, retentionDays, onWriteFailure, dayIndexShards }, problems };
}

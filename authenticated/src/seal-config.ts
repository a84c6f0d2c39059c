/**
 * The sealer's configuration, read and validated once per container. The sealer runs on a schedule and
 * nobody waits on it: an invalid configuration fails every run, and the failures alarm.
 */
import type { IntervalSource } from './interval-items.ts';
import type { SealSettings } from './seal-intervals.ts';

export interface SealConfig extends SealSettings {
  bucket: string;
  signingKeyArn: string;
}

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/;
/**
 * Grids that divide a day, so that no interval crosses midnight (digests are filed by day); the template's
 * SealIntervalMinutes offers exactly these. 45 at most: with the grace, a record is then sealed within the hour.
 */
export const INTERVAL_MINUTES = [5, 10, 15, 20, 30, 45] as const;

export function readSealConfig(env: Record<string, string | undefined>): {
  config: SealConfig;
  problems: string[];
} {
  const problems: string[] = [];
  const need = (name: string, pattern: RegExp, what: string) => {
    const value = env[name] ?? '';
    if (!pattern.test(value)) problems.push(`${name} ${JSON.stringify(value)} is not ${what}`);
    return value;
  };
  const number = (name: string, fallback: number, ok: (n: number) => boolean, what: string) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || !ok(n)) problems.push(`${name} must be ${what}, got "${raw}"`);
    return n;
  };
  const signInTable = need('SIGN_IN_TABLE', TABLE_NAME, 'a DynamoDB table name');
  const sources: IntervalSource[] = [
    {
      table: 'sign-ins',
      tableName: signInTable,
      dayIndexShards: number('DAY_INDEX_SHARDS', 1, (n) => n >= 1 && n <= 100, '1 to 100'),
    },
  ];
  if (env.AUTH_EVENTS_TABLE) {
    sources.push({
      table: 'auth-events',
      tableName: need('AUTH_EVENTS_TABLE', TABLE_NAME, 'a DynamoDB table name'),
    });
  }
  const intervalMinutes = number(
    'SEAL_INTERVAL_MINUTES',
    15,
    (n) => (INTERVAL_MINUTES as readonly number[]).includes(n),
    `one of ${INTERVAL_MINUTES.join(', ')}`,
  );
  return {
    config: {
      sources,
      intervalMinutes,
      graceMinutes: number('SEAL_GRACE_MINUTES', 15, (n) => n <= 60, '0 to 60'),
      // A day of intervals per run and table: a sealer that was stopped catches up a day per run.
      maxIntervalsPerRun: Math.ceil(1440 / intervalMinutes),
      bucket: need('DIGEST_BUCKET', BUCKET, 'an S3 bucket name'),
      signingKeyArn: need('SIGNING_KEY_ARN', KEY_ARN, 'a KMS key ARN'),
    },
    problems,
  };
}

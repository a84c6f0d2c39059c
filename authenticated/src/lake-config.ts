/**
 * The lake function's configuration, read and validated once per container (at import time). Nobody waits on
 * this function: an invalid configuration fails every batch, so the stream retries it and then hands it to
 * the dead-letter queue, where the alarm says so.
 */

export interface LakeConfig {
  /** The lake's bucket: objects go under `ext/` in Security Lake's custom-source layout (lake-layout.ts). */
  bucket: string;
  region: string;
  accountId: string;
  /** The tables whose streams the function reads: the dataset of a record is its table's. */
  signInsTable: string;
  /** Empty when the stack records no authentication events. */
  authEventsTable: string;
}

export interface LakeConfigResult {
  config: LakeConfig;
  problems: string[];
}

const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const TABLE_NAME_PATTERN = /^[A-Za-z0-9_.-]{3,255}$/;

export function readLakeConfig(env: Record<string, string | undefined>): LakeConfigResult {
  const config: LakeConfig = {
    bucket: env.LAKE_BUCKET ?? '',
    region: env.AWS_REGION ?? '',
    accountId: env.ACCOUNT_ID ?? '',
    signInsTable: env.SIGN_INS_TABLE ?? '',
    authEventsTable: env.AUTH_EVENTS_TABLE ?? '',
  };
  const problems: string[] = [];
  if (!BUCKET_PATTERN.test(config.bucket))
    problems.push(`LAKE_BUCKET ${JSON.stringify(config.bucket)} is not a bucket name`);
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(config.region))
    problems.push(`AWS_REGION ${JSON.stringify(config.region)} is not a region`);
  if (!/^\d{12}$/.test(config.accountId))
    problems.push(`ACCOUNT_ID ${JSON.stringify(config.accountId)} is not an account id`);
  if (!TABLE_NAME_PATTERN.test(config.signInsTable)) {
    problems.push(`SIGN_INS_TABLE ${JSON.stringify(config.signInsTable)} is not a DynamoDB table name`);
  }
  if (config.authEventsTable !== '' && !TABLE_NAME_PATTERN.test(config.authEventsTable)) {
    problems.push(`AUTH_EVENTS_TABLE ${JSON.stringify(config.authEventsTable)} is not a DynamoDB table name`);
  }
  return { config, problems };
}

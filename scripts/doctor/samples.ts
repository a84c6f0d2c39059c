/**
 * AWS's documented CloudTrail records (samples/, verbatim): the Cognito developer guide's "Example Amazon Cognito
 * events" and the DynamoDB developer guide's "Understanding DynamoDB log file entries". doctor tests a rule on
 * them when the account has no recent event of its own; the tests' CloudTrail corpus uses them too. Each is
 * made this stack's by replacing the sample's own pool, app client, region and table names, nothing else.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), 'samples');

// biome-ignore lint/suspicious/noExplicitAny: a CloudTrail record is untyped JSON
export type CloudTrailRecord = Record<string, any>;

/** The names AWS's samples use, which a stack's own replace. */
const SAMPLE_NAMES = {
  userPoolId: 'us-west-2_EXAMPLE',
  clientId: '1example23456789',
  region: 'us-west-2',
  tableName: 'Music',
};

/**
 * AWS's samples of one service (`cognito`, `dynamodb`), by name (`Login_GET`, `UpdateTable`, …). The files are
 * byte for byte as AWS prints them (biome leaves them alone); the DynamoDB guide wraps its one record in
 * `Records`, as a CloudTrail log file does.
 */
export function documentedSamples(service: 'cognito' | 'dynamodb'): Record<string, CloudTrailRecord> {
  return Object.fromEntries(
    readdirSync(SAMPLES_DIR)
      .filter((file) => file.startsWith(`${service}-`) && file.endsWith('.json'))
      .sort()
      .map((file) => {
        const parsed = JSON.parse(readFileSync(join(SAMPLES_DIR, file), 'utf8')) as CloudTrailRecord;
        const record = Array.isArray(parsed.Records) ? (parsed.Records[0] as CloudTrailRecord) : parsed;
        return [basename(file, '.json').slice(service.length + 1), record];
      }),
  );
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A sample with its pool, client and region replaced by these (the rest of the record as AWS wrote it). */
export function cognitoSampleAs(
  record: CloudTrailRecord,
  { userPoolId, clientId, region }: { userPoolId: string; clientId: string; region: string },
): CloudTrailRecord {
  const text = JSON.stringify(record)
    .replaceAll(SAMPLE_NAMES.userPoolId, userPoolId)
    .replace(new RegExp(`"${escaped(SAMPLE_NAMES.clientId)}"`, 'g'), JSON.stringify(clientId))
    .replaceAll(SAMPLE_NAMES.region, region);
  return JSON.parse(text) as CloudTrailRecord;
}

/** A DynamoDB sample naming this table (and this region) where AWS's names "Music". */
export function dynamoDbSampleAs(
  record: CloudTrailRecord,
  { tableName, region }: { tableName: string; region: string },
): CloudTrailRecord {
  const text = JSON.stringify(record)
    .replace(new RegExp(`"${SAMPLE_NAMES.tableName}"`, 'g'), JSON.stringify(tableName))
    .replaceAll(SAMPLE_NAMES.region, region);
  return JSON.parse(text) as CloudTrailRecord;
}

/**
 * Shapes AWS publishes no sample of: the calls the trail's own rules watch (UpdateUserPool, Lambda's
 * UpdateFunctionCode20150331v2, DisableRule, StopLogging, PutKeyPolicy, PutBucketPolicy, …). Inferred, not AWS's:
 * each is the documented records' frame (userIdentity, eventSource, eventName, requestParameters, eventType, …) with
 * the API reference's request members in lower camel case, as every documented record names them, and AWS's
 * documentation example names (account 111122223333, us-west-2, my-function, …) where a stack's own go. One file
 * per service in inferred/, by event name; docs/first-deploy.md lists them.
 */
export const INFERRED_DIR = join(dirname(fileURLToPath(import.meta.url)), 'inferred');
export const INFERRED_SERVICES = [
  'cognito-idp',
  'lambda',
  'events',
  'scheduler',
  'cloudtrail',
  'kms',
  's3',
] as const;
export type InferredService = (typeof INFERRED_SERVICES)[number];

const INFERRED_NAMES = { account: '111122223333', region: 'us-west-2' };
const inferredFiles = new Map<InferredService, Record<string, CloudTrailRecord>>();

/** The inferred record of one call, in this region and account (the rest as the file has it). */
export function inferredRecord(
  service: InferredService,
  eventName: string,
  { region, account }: { region: string; account: string },
): CloudTrailRecord {
  let records = inferredFiles.get(service);
  if (!records) {
    records = JSON.parse(readFileSync(join(INFERRED_DIR, `${service}.json`), 'utf8')) as Record<
      string,
      CloudTrailRecord
    >;
    inferredFiles.set(service, records);
  }
  const record = records[eventName];
  if (!record) throw new Error(`${INFERRED_DIR}/${service}.json has no ${eventName}`);
  const text = JSON.stringify(record)
    .replaceAll(INFERRED_NAMES.account, account)
    .replaceAll(INFERRED_NAMES.region, region);
  return JSON.parse(text) as CloudTrailRecord;
}

/**
 * A CloudTrail record as EventBridge delivers it (eb-service-event-cloudtrail.html): API calls as "AWS API Call via
 * CloudTrail", service events (managed login) as "AWS Service Event via CloudTrail", source `aws.<service>`.
 */
export function inEventBridgeEnvelope(record: CloudTrailRecord, id: string): CloudTrailRecord {
  const service = String(record.eventSource ?? '').replace(/\.amazonaws\.com$/, '');
  return {
    version: '0',
    id,
    'detail-type':
      record.eventType === 'AwsServiceEvent'
        ? 'AWS Service Event via CloudTrail'
        : 'AWS API Call via CloudTrail',
    source: `aws.${service}`,
    account: String(record.recipientAccountId ?? record.userIdentity?.accountId ?? ''),
    time: String(record.eventTime ?? ''),
    region: String(record.awsRegion ?? ''),
    resources: [],
    detail: record,
  };
}

/**
 * SDK clients and environments for the local engines (dynalite, cognito-local, the local Lambda endpoint),
 * which check no signature: one place for the region and the stand-in credentials.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The region the SDK signs with for the local engines (any valid name works; this one is the default). */
export const LOCAL_SDK_REGION = 'us-east-1';

/** Credentials the local engines accept: they check nothing, but the SDK will not sign without some. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** The same, as environment variables for a child process (a command run as a user runs it). */
export const LOCAL_CREDENTIALS_ENV = {
  AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  AWS_REGION: LOCAL_SDK_REGION,
} as const;

/** Region and credentials for any SDK client of a local engine at `endpoint`. */
export function localClientConfig(endpoint: string) {
  return { endpoint, region: LOCAL_SDK_REGION, credentials: LOCAL_CREDENTIALS };
}

/** A DynamoDB client for a local engine at `endpoint`. */
export function localDynamoDB(endpoint: string, config: DynamoDBClientConfig = {}): DynamoDBClient {
  return new DynamoDBClient({ ...localClientConfig(endpoint), ...config });
}

/** A document client for a local engine at `endpoint`. */
export function localDocumentClient(
  endpoint: string,
  config: DynamoDBClientConfig = {},
): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(localDynamoDB(endpoint, config));
}

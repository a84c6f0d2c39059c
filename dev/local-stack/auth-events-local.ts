/**
 * The auth-events part of the stack (AuthEvents=enabled), offline: the template's AuthEventsTable in
 * dynalite, AuthEventsFunction built like `sam build` behind the local Lambda endpoint, and the CloudTrail
 * recorder in front of cognito-local standing in for CloudTrail + the EventBridge rule. Clients that talk
 * to the recorder's endpoint have every sign-in attempt recorded, failures with their source IP.
 */
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { COGNITO_EVENT_SOURCE, SIGN_IN_EVENTS } from '../../authenticated/src/auth-event-record.ts';
import { buildFunctionBundle } from '../build/bundle.ts';
import {
  AUTH_EVENTS_FUNCTION_ID,
  AUTH_EVENTS_TABLE_ID,
  functionSettings,
  type Template,
} from '../build/template.ts';
import { CloudTrailRecorder } from './cloudtrail-recorder.ts';
import { localClientConfig, localDynamoDB } from './local-clients.ts';
import { builtFunction, LOCAL_ACCOUNT, type LocalLambda } from './local-lambda.ts';
import { describeTable, ensureTemplateTable } from './template-tables.ts';

export const LOCAL_AUTH_EVENTS_TABLE_NAME = 'auth-events-local';

export interface LocalAuthEvents {
  tableName: string;
  /** The recorder's endpoint: point Cognito clients here (AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER). */
  endpoint: string;
  recorder: CloudTrailRecorder;
  /**
   * What `sam deploy` with CognitoUserPoolArn and AuthEventsClientIds does: from now on the function records
   * this pool's sign-in attempts (the stack records one pool).
   */
  recordPool(poolArn: string, clientIds: string[]): void;
  stop(): Promise<void>;
}

export async function startLocalAuthEvents(options: {
  template: Template;
  parameters?: Record<string, string>;
  dataDir: string;
  dynamoEndpoint: string;
  cognitoEndpoint: string;
  lambda: LocalLambda;
  log?: (line: string) => void;
}): Promise<LocalAuthEvents> {
  const { template, lambda } = options;
  const ddb = localDynamoDB(options.dynamoEndpoint);
  try {
    const report = await ensureTemplateTable(ddb, template, {
      tableId: AUTH_EVENTS_TABLE_ID,
      tableName: LOCAL_AUTH_EVENTS_TABLE_NAME,
      // The table exists only with AuthEvents=enabled (its condition).
      parameters: { ...options.parameters, AuthEvents: 'enabled' },
    });
    options.log?.(describeTable(report));
  } finally {
    ddb.destroy();
  }

  const settingsFor = (parameters: Record<string, string>) =>
    functionSettings(template, {
      tableName: LOCAL_AUTH_EVENTS_TABLE_NAME,
      parameters: { ...options.parameters, AuthEvents: 'enabled', ...parameters },
      functionId: AUTH_EVENTS_FUNCTION_ID,
      tableId: AUTH_EVENTS_TABLE_ID,
    });
  const modulePath = await buildFunctionBundle(
    settingsFor({}),
    join(options.dataDir, 'build', AUTH_EVENTS_FUNCTION_ID),
  );

  const invoker = new LambdaClient(localClientConfig(lambda.endpoint));
  const recorder = await new CloudTrailRecorder({
    upstream: options.cognitoEndpoint,
    account: LOCAL_ACCOUNT,
    // The EventBridge rule's part that matters offline: Cognito's sign-in calls (the function skips refreshes).
    matches: (event) =>
      event.detail.eventSource === COGNITO_EVENT_SOURCE &&
      SIGN_IN_EVENTS.includes(String(event.detail.eventName)),
    deliver: async (event) => {
      const result = await invoker.send(
        new InvokeCommand({ FunctionName: AUTH_EVENTS_FUNCTION_ID, Payload: JSON.stringify(event) }),
      );
      if (result.FunctionError) {
        throw new Error(
          `${AUTH_EVENTS_FUNCTION_ID} failed: ${Buffer.from(result.Payload ?? []).toString('utf8')}`,
        );
      }
    },
  }).start();

  return {
    tableName: LOCAL_AUTH_EVENTS_TABLE_NAME,
    endpoint: recorder.endpoint,
    recorder,
    recordPool(poolArn, clientIds) {
      const settings = settingsFor({ CognitoUserPoolArn: poolArn, AuthEventsClientIds: clientIds.join(',') });
      lambda.register(
        builtFunction(AUTH_EVENTS_FUNCTION_ID, modulePath, settings, {
          AWS_ENDPOINT_URL_DYNAMODB: options.dynamoEndpoint,
        }),
      );
    },
    async stop() {
      await recorder.stop();
      invoker.destroy();
    },
  };
}

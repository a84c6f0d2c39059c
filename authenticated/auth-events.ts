/**
 * EventBridge target: records each Cognito sign-in attempt (CloudTrail event) in the auth-events table.
 * Entry file: wiring only. Configuration and the SDK client are created once per container.
 */
import { readAuthEventsConfig } from './src/auth-events-config.ts';
import { createJsonLineLogger } from './src/log.ts';
import { createAuthEventHandler } from './src/record-auth-event.ts';
import { createAuthEventsClient, createAuthEventWriter } from './src/write-auth-event.ts';

const log = createJsonLineLogger(process.env.AWS_LAMBDA_LOG_LEVEL);
const configResult = readAuthEventsConfig(process.env);
if (configResult.problems.length > 0) {
  log('error', {
    code: 'AUTH_EVENT_CONFIG_INVALID',
    message: 'invalid configuration; every event will fail',
    problems: configResult.problems,
  });
}

export const handler = createAuthEventHandler({
  configResult,
  writeItem: createAuthEventWriter(createAuthEventsClient(), configResult.config.tableName),
  log,
});

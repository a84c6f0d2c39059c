/**
 * Cognito PostAuthentication trigger: records each successful sign-in in the login-history table.
 * Entry file: wiring only. Configuration and the SDK client are created once per container.
 */
import { readConfig } from './src/config.ts';
import { createJsonLineLogger } from './src/log.ts';
import { createPostAuthenticationHandler } from './src/record-sign-in.ts';
import { createHistoryClient, createHistoryWriter } from './src/write-history.ts';

const log = createJsonLineLogger(process.env.AWS_LAMBDA_LOG_LEVEL);
const configResult = readConfig(process.env);
if (configResult.problems.length > 0) {
  log('error', {
    code: 'LOGIN_HISTORY_CONFIG_INVALID',
    message: 'invalid configuration; every sign-in will follow the write-failure policy',
    problems: configResult.problems,
  });
}

export const handler = createPostAuthenticationHandler({
  configResult,
  writeItem: createHistoryWriter(createHistoryClient(), configResult.config.tableName),
  log,
});

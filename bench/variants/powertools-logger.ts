// Lever: our handler with Powertools for AWS Lambda's Logger in place of the 22-line JSON logger.
import { Logger } from '@aws-lambda-powertools/logger';
import { readConfig } from '../../authenticated/src/config.ts';
import type { Logger as LogFunction } from '../../authenticated/src/log.ts';
import { createPostAuthenticationHandler } from '../../authenticated/src/record-sign-in.ts';
import { createHistoryClient, createHistoryWriter } from '../../authenticated/src/write-history.ts';

const powertools = new Logger({ serviceName: 'login-history' });
const log: LogFunction = (level, record) => powertools[level](record.message, record);
const configResult = readConfig(process.env);

export const handler = createPostAuthenticationHandler({
  configResult,
  writeItem: createHistoryWriter(createHistoryClient(), configResult.config.tableName),
  log,
});

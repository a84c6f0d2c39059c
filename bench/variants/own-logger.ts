// Lever: our handler with the 22-line JSON logger it used before Powertools' Logger was adopted.
import { readConfig } from '../../authenticated/src/config.ts';
import type { Logger, LogLevel } from '../../authenticated/src/log.ts';
import { createPostAuthenticationHandler } from '../../authenticated/src/record-sign-in.ts';
import { createHistoryClient, createHistoryWriter } from '../../authenticated/src/write-history.ts';

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const threshold = ORDER[(process.env.AWS_LAMBDA_LOG_LEVEL ?? 'info').toLowerCase() as LogLevel] ?? ORDER.info;
const log: Logger = (level, record) => {
  if (ORDER[level] >= threshold) console[level](JSON.stringify(record));
};
const configResult = readConfig(process.env);

export const handler = createPostAuthenticationHandler({
  configResult,
  writeItem: createHistoryWriter(createHistoryClient(), configResult.config.tableName),
  log,
});

/**
 * One JSON object per log line (Powertools for AWS Lambda's Logger), so CloudWatch metric filters and the
 * replay tool can read it. Routine lines carry identifiers only (sub, pool, client, request id), never
 * attribute values.
 *
 * The level follows the function's LoggingConfig (Lambda exposes ApplicationLogLevel as
 * AWS_LAMBDA_LOG_LEVEL, which Powertools honours): per-sign-in success lines are DEBUG, so by default each
 * sign-in costs no log ingestion and no stdout write; failures and rejected events are always logged.
 * Adopted after measuring its cold-start cost (README, "Design decisions").
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogRecord = { code: string; message: string } & Record<string, unknown>;

/** The trigger logs through this function, so tests can capture records without parsing output. */
export type Logger = (level: LogLevel, record: LogRecord) => void;

const LEVELS = new Set(['DEBUG', 'INFO', 'WARN', 'ERROR']);

export const SERVICE_NAME = 'login-history';

export function createLogger(minimum: string | undefined): Logger {
  const level = (minimum ?? 'INFO').toUpperCase();
  const powertools = new PowertoolsLogger({
    serviceName: SERVICE_NAME,
    logLevel: (LEVELS.has(level) ? level : 'INFO') as 'DEBUG' | 'INFO' | 'WARN' | 'ERROR',
  });
  return (severity, { message, ...fields }) => powertools[severity](message, fields);
}

/**
 * The functions' one log format: one JSON object per line, so CloudWatch metric filters, Contributor
 * Insights and the replay tool can read its fields. Routine lines carry identifiers only (sub, pool, client,
 * request id), never attribute values.
 *
 * The level follows the function's LoggingConfig (Lambda exposes ApplicationLogLevel as
 * AWS_LAMBDA_LOG_LEVEL): per-sign-in success lines are DEBUG, so by default each sign-in costs no log
 * ingestion and no stdout write; failures and rejected events are always logged.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogRecord = { code: string; message: string } & Record<string, unknown>;

export type Logger = (level: LogLevel, record: LogRecord) => void;

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * One top-level JSON object per line on stdout, with `timestamp` and `level`. Lambda's JSON log format wraps
 * console output as a string inside `message`; a line written straight to stdout stays a JSON object, so
 * metric filters (`$.outcome`) and Contributor Insights (`$.sourceIp`) can address its fields, and Lambda
 * applies the function's log level to it by its `level` key (Lambda Developer Guide, "Log-level filtering").
 */
export function createJsonLineLogger(
  minimum: string | undefined,
  write: (line: string) => void = (line) => process.stdout.write(line),
): Logger {
  const threshold = ORDER[(minimum ?? 'info').toLowerCase() as LogLevel] ?? ORDER.info;
  return (level, record) => {
    if (ORDER[level] >= threshold) {
      write(
        `${JSON.stringify({ timestamp: new Date().toISOString(), level: level.toUpperCase(), ...record })}\n`,
      );
    }
  };
}

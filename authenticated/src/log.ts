/**
 * One JSON object per log line, so CloudWatch metric filters and the replay tool can read it.
 * Routine lines carry identifiers only (sub, pool, client, request id), never attribute values.
 */
export type LogLevel = 'info' | 'warn' | 'error';

export type LogRecord = { code: string; message: string } & Record<string, unknown>;

export type Logger = (level: LogLevel, record: LogRecord) => void;

export const consoleLogger: Logger = (level, record) => {
  console[level](JSON.stringify(record));
};

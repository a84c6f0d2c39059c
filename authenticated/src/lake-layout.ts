/**
 * Where the lake's objects go: Amazon Security Lake's custom-source layout,
 * `ext/<source>/region=<region>/accountId=<account>/eventDay=<YYYYMMDD>/<name>.parquet`, one OCSF class per
 * source. Both datasets are Authentication events, but they are kept as two sources: a successful sign-in is
 * in both (the trigger's record and CloudTrail's), and a SIEM counting logons over one source counts it once.
 */
import { LOG_NAME, type LogName } from './ocsf.ts';

/** Source names: at most 20 characters (Security Lake names a role after them). */
export const LAKE_SOURCE: Readonly<Record<LogName, string>> = {
  [LOG_NAME.signIns]: 'cognito-sign-ins',
  [LOG_NAME.authEvents]: 'cognito-auth-events',
};

/** The UTC day of an epoch-millisecond time as the layout writes it, `YYYYMMDD`. */
export const eventDayOf = (timeMs: number) => new Date(timeMs).toISOString().slice(0, 10).replaceAll('-', '');

/** The folder (key prefix, with its trailing slash) of one source's day. */
export function dayPrefix(logName: LogName, region: string, accountId: string, eventDay: string): string {
  return `ext/${LAKE_SOURCE[logName]}/region=${region}/accountId=${accountId}/eventDay=${eventDay}/`;
}

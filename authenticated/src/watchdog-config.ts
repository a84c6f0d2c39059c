/**
 * The watchdog's configuration, read and validated once per container: what the stack deployed, as the
 * template passes it (names, ARNs, the versions it published).
 */
import type { WatchdogConfig } from './watchdog-checks.ts';

export interface WatchdogSettings extends WatchdogConfig {
  bucket: string;
  signingKeyArn: string;
  /** The CloudWatch namespace of the check metrics (LoginHistory/<stack>). */
  namespace: string;
}

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

export function readWatchdogConfig(env: Record<string, string | undefined>): {
  config: WatchdogSettings;
  problems: string[];
} {
  const problems: string[] = [];
  const need = (name: string) => {
    const value = env[name] ?? '';
    if (!value) problems.push(`${name} is not set`);
    return value;
  };
  const tables: WatchdogConfig['tables'] = [
    { table: 'sign-ins', tableName: need('SIGN_IN_TABLE'), tableArn: need('SIGN_IN_TABLE_ARN') },
  ];
  if (env.AUTH_EVENTS_TABLE) {
    tables.push({
      table: 'auth-events',
      tableName: env.AUTH_EVENTS_TABLE,
      tableArn: need('AUTH_EVENTS_TABLE_ARN'),
    });
  }
  const minutes = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!/^\d{1,3}$/.test(raw)) problems.push(`${name} must be a number of minutes, got "${raw}"`);
    return Number(raw);
  };
  return {
    config: {
      userPoolId: need('USER_POOL_ID'),
      triggerFunctionArn: need('TRIGGER_FUNCTION_ARN'),
      functionVersionArns: list(env.FUNCTION_VERSIONS),
      ruleNames: list(env.RULE_NAMES),
      scheduleNames: list(env.SCHEDULE_NAMES),
      mappingIds: list(env.MAPPING_IDS),
      tables,
      sealIntervalMinutes: minutes('SEAL_INTERVAL_MINUTES', 15),
      sealGraceMinutes: minutes('SEAL_GRACE_MINUTES', 15),
      bucket: need('DIGEST_BUCKET'),
      signingKeyArn: need('SIGNING_KEY_ARN'),
      namespace: need('METRIC_NAMESPACE'),
    },
    problems,
  };
}

/**
 * The watchdog's checks (PCI DSS 10.7.2: a failure of the audit logging is detected and alarmed): is the
 * trail still recording and sealing, as deployed? One result per check, each published as a metric with an
 * alarm; the watchdog's own silence alarms too (its heartbeat, missing data breaching). A check that cannot
 * be read fails: not knowing is not "ok". The reads are passed in (WatchdogApi); the entry wires the SDK.
 */

import { deniedActions, refusesTampering } from './resource-policy.ts';
import type { TrailCheck } from './trail-logging.ts';

export const CHECKS = ['trigger', 'functions', 'rules', 'trail', 'streams', 'policies', 'seal'] as const;
export type CheckName = (typeof CHECKS)[number];

export interface CheckResult {
  check: CheckName;
  ok: boolean;
  /** What was found; for a failure, what is wrong (ids and states only, no personal data). */
  detail: string;
}

export interface WatchdogConfig {
  userPoolId: string;
  /** The trigger the pool must call (the function's unqualified ARN). */
  triggerFunctionArn: string;
  /** The versions CloudFormation published (AutoPublishAlias): `$LATEST` must be each one's code and settings. */
  functionVersionArns: string[];
  ruleNames: string[];
  scheduleNames: string[];
  /** The change detector's event source mappings (their UUIDs). */
  mappingIds: string[];
  tables: { table: 'sign-ins' | 'auth-events'; tableName: string; tableArn: string }[];
  sealIntervalMinutes: number;
  sealGraceMinutes: number;
}

/** The function settings compared between `$LATEST` and the published version. */
/**
 * What a function's $LATEST must still share with the version the stack published: its code and how it runs.
 * Not its environment, role, memory, architecture or log group: SAM publishes a version from the template's
 * properties with parameters unresolved, so a deploy that changes only parameters updates $LATEST and leaves
 * the version as it was (aws/serverless-application-model#3820), and comparing those would alarm on every
 * such deploy. A change to them outside CloudFormation is announced at once by TrailFunctionsChangedRule.
 */
export const COMPARED_SETTINGS = ['CodeSha256', 'Handler', 'Runtime', 'Layers'] as const;
export type FunctionSettings = Partial<Record<(typeof COMPARED_SETTINGS)[number], unknown>>;

export interface WatchdogApi {
  postAuthenticationTrigger(userPoolId: string): Promise<string | undefined>;
  functionSettings(functionName: string, qualifier?: string): Promise<FunctionSettings>;
  /** The function's reserved concurrency; undefined when none is set. */
  reservedConcurrency(functionName: string): Promise<number | undefined>;
  ruleState(ruleName: string): Promise<string | undefined>;
  scheduleState(scheduleName: string): Promise<string | undefined>;
  trail(): Promise<TrailCheck>;
  stream(tableName: string): Promise<{ enabled: boolean; viewType?: string }>;
  mappingState(uuid: string): Promise<string | undefined>;
  /** The table's resource policy document, or undefined when it has none. */
  resourcePolicy(tableArn: string): Promise<string | undefined>;
  /** The end (ISO) of the newest digest the stack's key signed, or undefined when there is none. */
  newestSeal(table: 'sign-ins' | 'auth-events'): Promise<string | undefined>;
}

const RULE_STATES = ['ENABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'];

/**
 * The oldest end (epoch ms) a table's newest seal may have at `now`: sealing runs every interval and waits out the
 * grace period; twice that, and five minutes, is late. The watchdog and `npm run doctor` judge by this.
 */
export function oldestTimelySeal(now: number, intervalMinutes: number, graceMinutes: number): number {
  return now - (2 * intervalMinutes + graceMinutes + 5) * 60_000;
}

/** `arn:aws:lambda:r:a:function:name:3` → name and qualifier. */
export function versionOf(arn: string): { name: string; qualifier: string } {
  const parts = arn.split(':');
  return { name: parts.slice(0, 7).join(':'), qualifier: parts[7] ?? '$LATEST' };
}

async function each<T>(items: T[], check: (item: T) => Promise<string | undefined>): Promise<string[]> {
  const problems: string[] = [];
  for (const item of items) {
    const problem = await check(item);
    if (problem) problems.push(problem);
  }
  return problems;
}

const result = (check: CheckName, problems: string[], fine: string): CheckResult =>
  problems.length === 0
    ? { check, ok: true, detail: fine }
    : { check, ok: false, detail: problems.join('; ') };

const CHECK_RUNNERS: Record<
  CheckName,
  (c: WatchdogConfig, api: WatchdogApi, now: number) => Promise<CheckResult>
> = {
  async trigger(c, api) {
    const attached = await api.postAuthenticationTrigger(c.userPoolId);
    return attached === c.triggerFunctionArn
      ? { check: 'trigger', ok: true, detail: `${c.userPoolId} calls ${attached}` }
      : {
          check: 'trigger',
          ok: false,
          detail: `${c.userPoolId}'s PostAuthentication trigger is ${attached ?? 'not set'}, not ${c.triggerFunctionArn}: sign-ins are not recorded (npm run attach)`,
        };
  },
  async functions(c, api) {
    const problems = await each(c.functionVersionArns, async (arn) => {
      const { name, qualifier } = versionOf(arn);
      const [latest, deployed, reserved] = await Promise.all([
        api.functionSettings(name),
        api.functionSettings(name, qualifier),
        api.reservedConcurrency(name),
      ]);
      const changed = COMPARED_SETTINGS.filter(
        (s) => JSON.stringify(latest[s] ?? null) !== JSON.stringify(deployed[s] ?? null),
      );
      const short = name.split(':').at(-1);
      if (changed.length > 0)
        return `${short}: ${changed.join(', ')} changed since version ${qualifier} was deployed`;
      if (reserved === 0) return `${short}: reserved concurrency is 0 (the function cannot run)`;
      return undefined;
    });
    return result('functions', problems, `${c.functionVersionArns.length} functions as deployed`);
  },
  async rules(c, api) {
    const problems = [
      ...(await each(c.ruleNames, async (name) => {
        const state = await api.ruleState(name);
        return state && RULE_STATES.includes(state) ? undefined : `rule ${name} is ${state ?? 'gone'}`;
      })),
      ...(await each(c.scheduleNames, async (name) => {
        const state = await api.scheduleState(name);
        return state === 'ENABLED' ? undefined : `schedule ${name} is ${state ?? 'gone'}`;
      })),
    ];
    return result(
      'rules',
      problems,
      `${c.ruleNames.length} rules and ${c.scheduleNames.length} schedules enabled`,
    );
  },
  async trail(_c, api) {
    const found = await api.trail();
    return found.logging
      ? {
          check: 'trail',
          ok: true,
          detail: `trail ${found.logging.name} logs ${found.region}'s management events`,
        }
      : {
          check: 'trail',
          ok: false,
          detail: `no trail logs ${found.region}'s management events, read and write${found.trails.length > 0 ? ` (${found.trails.map((t) => `${t.name} ${t.problem}`).join('; ')})` : ''}: no tamper alarm and no auth event reaches EventBridge`,
        };
  },
  async streams(c, api) {
    const problems = [
      ...(await each(c.tables, async ({ tableName }) => {
        const stream = await api.stream(tableName);
        return stream.enabled && stream.viewType === 'NEW_AND_OLD_IMAGES'
          ? undefined
          : `${tableName}'s stream is ${stream.enabled ? stream.viewType : 'off'}`;
      })),
      ...(await each(c.mappingIds, async (uuid) => {
        const state = await api.mappingState(uuid);
        return state === 'Enabled' ? undefined : `event source mapping ${uuid} is ${state ?? 'gone'}`;
      })),
    ];
    return result('streams', problems, `${c.tables.length} streams and ${c.mappingIds.length} mappings on`);
  },
  async policies(c, api) {
    const problems = await each(c.tables, async ({ tableName, tableArn }) => {
      const policy = await api.resourcePolicy(tableArn);
      if (!policy) return `${tableName} has no resource policy`;
      return refusesTampering(deniedActions(policy))
        ? undefined
        : `${tableName}'s resource policy no longer refuses item changes`;
    });
    return result('policies', problems, `${c.tables.length} append-only resource policies present`);
  },
  async seal(c, api, now) {
    const latest = oldestTimelySeal(now, c.sealIntervalMinutes, c.sealGraceMinutes);
    const problems = await each(c.tables, async ({ table }) => {
      const end = await api.newestSeal(table);
      if (!end) return `${table}: nothing sealed yet`;
      return Date.parse(end) >= latest ? undefined : `${table}: sealed only up to ${end}`;
    });
    return result('seal', problems, 'every table sealed recently');
  },
};

export async function runWatchdog(
  config: WatchdogConfig,
  api: WatchdogApi,
  now: number,
): Promise<CheckResult[]> {
  return Promise.all(
    CHECKS.map((check) =>
      CHECK_RUNNERS[check](config, api, now).catch(
        (error: Error): CheckResult => ({
          check,
          ok: false,
          detail: `could not be checked: ${error.name}: ${error.message}`,
        }),
      ),
    ),
  );
}

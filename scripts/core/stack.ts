/**
 * The one place a command learns where the records are: a deployed stack of this application (its outputs
 * and parameters, named once below as template.yaml declares them), or tables named on the command line.
 * Every command resolves `--stack-name` / `--table-name` here, with errors that say what to check.
 */
import { CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { CommandError, explainAwsError, UsageError } from './cli.ts';
import { clientConfig } from './clients.ts';

/** The stack outputs the commands read (template.yaml, Outputs). A test checks each name below exists there. */
export const OUTPUT = {
  functionArn: 'FunctionArn',
  tableName: 'TableName',
  logGroupName: 'LogGroupName',
  replayRoleArn: 'ReplayRoleArn',
  erasureRoleArn: 'ErasureRoleArn',
  erasureSaltSecretArn: 'ErasureSaltSecretArn',
  authEventsTableName: 'AuthEventsTableName',
  digestBucketName: 'DigestBucketName',
  signingKeyArn: 'SigningKeyArn',
  lakeBucketName: 'LakeBucketName',
  lakeDatabase: 'LakeDatabase',
  lakeWorkGroup: 'LakeWorkGroup',
} as const;
export type OutputName = (typeof OUTPUT)[keyof typeof OUTPUT];

/** The stack parameters the commands read (template.yaml, Parameters). */
export const PARAMETER = {
  dayIndex: 'DayIndex',
  dayIndexShards: 'DayIndexShards',
  retentionDays: 'RetentionDays',
  userPoolArn: 'CognitoUserPoolArn',
  authEventsClientIds: 'AuthEventsClientIds',
  authEvents: 'AuthEvents',
  integrity: 'Integrity',
} as const;
export type ParameterName = (typeof PARAMETER)[keyof typeof PARAMETER];

/** The stack's resources the commands look up or check by logical id (template.yaml, Resources). */
export const LOGICAL_ID = {
  historyTable: 'LoginHistoryTable',
  authEventsTable: 'AuthEventsTable',
  erasureRole: 'ErasureRole',
  replayRole: 'ReplayRole',
  signInRule: 'AuthEventsRule',
  historyProtectionRule: 'TableProtectionChangedRule',
  authEventsProtectionRule: 'AuthEventsTableProtectionChangedRule',
  erasureRule: 'ErasureRoleAssumedRule',
  poolRule: 'PoolTriggerChangedRule',
  functionsRule: 'TrailFunctionsChangedRule',
  rulesRule: 'TrailRulesChangedRule',
  loggingRule: 'TrailLoggingChangedRule',
  signingKey: 'SigningKey',
  digestBucket: 'DigestBucket',
  sealer: 'SealTrailFunction',
  sealerLogGroup: 'SealerLogGroup',
  alarmTopic: 'AlarmTopic',
} as const;

export interface StackInfo {
  name: string;
  /** The named output's value; a CommandError when the stack lacks it (not this application's stack). */
  output(key: OutputName): string;
  /** The named output's value, or undefined (an optional part the stack was deployed without). */
  optionalOutput(key: OutputName): string | undefined;
  parameter(key: ParameterName): string | undefined;
}

export async function readStack(client: CloudFormationClient, stackName: string): Promise<StackInfo> {
  let stack: Stack | undefined;
  try {
    stack = (await client.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  } catch (error) {
    // No network, no region or no credentials is not a wrong stack name: runCli says what it is.
    if (explainAwsError(error as Error)) throw error;
    if (/does not exist/i.test((error as Error).message)) {
      throw new CommandError(`stack "${stackName}" does not exist (check --stack-name and --region)`);
    }
    throw new CommandError(`cannot read stack "${stackName}": ${(error as Error).message}`);
  }
  const optionalOutput = (key: OutputName) => stack?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
  return {
    name: stackName,
    optionalOutput,
    output: (key) => {
      const value = optionalOutput(key);
      if (!value)
        throw new CommandError(`stack "${stackName}" has no ${key} output; is it this application's stack?`);
      return value;
    },
    parameter: (key) => stack?.Parameters?.find((p) => p.ParameterKey === key)?.ParameterValue,
  };
}

/** One-shot read with a client of its own (for commands that need CloudFormation once). */
export async function readStackIn(region: string | undefined, stackName: string): Promise<StackInfo> {
  const client = new CloudFormationClient(clientConfig(region));
  try {
    return await readStack(client, stackName);
  } finally {
    client.destroy();
  }
}

/** The command-line options that say where the records are; a command takes the ones it uses. */
export const WHERE_OPTIONS = {
  'stack-name': { type: 'string' },
  'table-name': { type: 'string' },
  shards: { type: 'string' },
  'auth-events-table-name': { type: 'string' },
} as const;

export interface WhereValues {
  'stack-name'?: string;
  'table-name'?: string;
  shards?: string;
  'auth-events-table-name'?: string;
}

/** `--shards`: the stack parameter DayIndexShards, 1 to 100; undefined when not given. */
export function shardsOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^([1-9]\d?|100)$/.test(value)) {
    throw new UsageError('--shards must be 1 to 100 (the stack parameter DayIndexShards)');
  }
  return Number(value);
}

/**
 * The usage checks of the "where" options, before anything is read: exactly one of --stack-name and
 * --table-name, and the options that only go with --table-name (the stack supplies them) refused beside
 * --stack-name. `tableOnly` names those options for this command.
 */
export function checkWhere(values: WhereValues, tableOnly: readonly (keyof WhereValues)[] = []): void {
  const given = (['table-name', 'stack-name'] as const).filter((k) => values[k] !== undefined);
  if (given.length !== 1) throw new UsageError('give exactly one of --table-name, --stack-name');
  if (values['stack-name'] !== undefined) {
    const extra = tableOnly.filter((k) => values[k] !== undefined);
    if (extra.length > 0) {
      throw new UsageError(
        `${extra.map((k) => `--${k}`).join(' and ')} ${extra.length > 1 ? 'go' : 'goes'} with --table-name; --stack-name reads ${extra.length > 1 ? 'them' : 'it'} from the stack`,
      );
    }
  }
  shardsOption(values.shards);
}

/** Where the authentication events are, or why this command does not know. */
export type AuthEventsWhere =
  | { table: string }
  | { absent: 'stack-without-auth-events' }
  | { absent: 'not-named' };

/** Where one command's records are, whichever way it was told. */
export interface RecordsWhere {
  /** The login-history (sign-in) table. */
  table: string;
  /** The byDay index's shards (DayIndexShards). */
  shards: number;
  /** 'disabled' when the stack was deployed without the byDay index; undefined when not known. */
  dayIndex: string | undefined;
  authEvents: AuthEventsWhere;
  /** The stack's RetentionDays, when read from a stack. */
  retentionDays: string | undefined;
  /** The stack, when --stack-name named one: its other outputs for the commands that need them. */
  stack: StackInfo | undefined;
}

/** Resolves the "where" options (checked with checkWhere first) into tables, reading the stack if named. */
export async function resolveWhere(values: WhereValues, region: string | undefined): Promise<RecordsWhere> {
  const stackName = values['stack-name'];
  if (stackName === undefined) {
    const authTable = values['auth-events-table-name'];
    return {
      table: String(values['table-name']),
      shards: shardsOption(values.shards) ?? 1,
      dayIndex: undefined,
      authEvents: authTable ? { table: authTable } : { absent: 'not-named' },
      retentionDays: undefined,
      stack: undefined,
    };
  }
  const stack = await readStackIn(region, stackName);
  const authTable = stack.optionalOutput(OUTPUT.authEventsTableName);
  return {
    table: stack.output(OUTPUT.tableName),
    shards: Number(stack.parameter(PARAMETER.dayIndexShards) ?? 1),
    dayIndex: stack.parameter(PARAMETER.dayIndex),
    authEvents: authTable ? { table: authTable } : { absent: 'stack-without-auth-events' },
    retentionDays: stack.parameter(PARAMETER.retentionDays),
    stack,
  };
}

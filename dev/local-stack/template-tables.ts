/**
 * A table of template.yaml on a local DynamoDB engine, as the template declares it: the key schema and
 * indexes, the stream, encryption and deletion protection at creation, then TTL, point-in-time recovery and
 * the resource policy put in place by the same code as `npm run protect` (declared settings read with
 * protectionOf, compared with what the engine reports, each difference restored). An engine that does not
 * implement a setting (dynalite: TTL, recovery, deletion protection, resource policies) reports it as unknown
 * and it is left alone; moto implements them all. Run on every start: a kept table keeps its items and gets
 * back any setting that drifted.
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import {
  compare,
  protectionOf,
  readLiveProtection,
  restore,
} from '../../scripts/account/table-protection.ts';
import { evaluateConditions, resolve, UnresolvableError } from '../../scripts/core/intrinsics.ts';
import { parameterDefaults, type Template, tableCreateInput } from '../build/template.ts';
import { LOCAL_SDK_REGION } from './local-clients.ts';
import { LOCAL_ACCOUNT } from './local-lambda.ts';

/** The stack name the local ARNs stand in for. */
export const LOCAL_STACK_NAME = 'login-history-local';

/** The ARN a role of the template would have in the local account (what its resource policy names). */
export const localRoleArn = (logicalId: string) =>
  `arn:aws:iam::${LOCAL_ACCOUNT}:role/${LOCAL_STACK_NAME}-${logicalId}`;

/** The table's properties with parameters, conditions and GetAtt resolved to the local stand-ins. */
function resolvedProperties(
  template: Template,
  tableId: string,
  parameters: Record<string, string>,
): Record<string, unknown> {
  const values: Record<string, string> = {
    ...parameterDefaults(template),
    ...parameters,
    'AWS::Region': LOCAL_SDK_REGION,
    'AWS::AccountId': LOCAL_ACCOUNT,
    'AWS::StackName': LOCAL_STACK_NAME,
    'AWS::Partition': 'aws',
  };
  const refs = {
    parameters: values,
    ref: (logicalId: string): string => {
      throw new UnresolvableError(`the local stack has no physical id for Ref ${logicalId}`);
    },
    getAtt: (logicalId: string, attribute: string): string => {
      const resource = template.Resources?.[logicalId] as Template | undefined;
      if (resource?.Type === 'AWS::IAM::Role' && attribute === 'Arn') return localRoleArn(logicalId);
      throw new UnresolvableError(`the local stack cannot stand in for ${logicalId}.${attribute}`);
    },
  };
  return resolve(
    template.Resources[tableId].Properties,
    refs,
    evaluateConditions(template, values),
  ) as Record<string, unknown>;
}

/** What creating or checking one table did, for the stack's log. */
export interface TableReport {
  tableName: string;
  created: boolean;
  /** Settings put in place (as declared) this time. */
  set: string[];
  /** Settings this engine does not implement (left alone), with why. */
  unsupported: string[];
  /** Settings the engine refused to take. */
  failed: string[];
}

/** Creates the table unless it exists, then puts each declared protection setting in place. */
export async function ensureTemplateTable(
  ddb: DynamoDBClient,
  template: Template,
  options: { tableId: string; tableName: string; parameters?: Record<string, string> },
): Promise<TableReport> {
  const parameters = options.parameters ?? {};
  const properties = resolvedProperties(template, options.tableId, parameters);
  const stream = properties.StreamSpecification as { StreamViewType?: string } | undefined;
  const sse = properties.SSESpecification as { SSEEnabled?: boolean; SSEType?: string } | undefined;
  const input: CreateTableCommandInput = {
    ...tableCreateInput(template, options.tableName, parameters, options.tableId),
    ...(stream?.StreamViewType
      ? {
          StreamSpecification: {
            StreamEnabled: true,
            StreamViewType: stream.StreamViewType as 'NEW_AND_OLD_IMAGES',
          },
        }
      : {}),
    ...(sse ? { SSESpecification: { Enabled: sse.SSEEnabled === true, SSEType: sse.SSEType as 'KMS' } } : {}),
    ...(properties.DeletionProtectionEnabled !== undefined
      ? { DeletionProtectionEnabled: properties.DeletionProtectionEnabled === true }
      : {}),
  };
  let created = true;
  try {
    await ddb.send(new CreateTableCommand(input));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    created = false;
  }
  await tableActive(ddb, options.tableName);
  const report: TableReport = { tableName: options.tableName, created, set: [], unsupported: [], failed: [] };
  const declared = protectionOf(properties);
  const live = await readLiveProtection(ddb, options.tableName);
  for (const comparison of compare(declared, live)) {
    if (comparison.state === 'unknown') {
      report.unsupported.push(`${comparison.setting} (${comparison.reason.code})`);
    } else if (comparison.state === 'different') {
      const outcome = await restore(ddb, options.tableName, declared, live, comparison.setting);
      if ('done' in outcome) report.set.push(`${outcome.setting}: ${outcome.done}`);
      else report.failed.push(`${outcome.setting}: ${outcome.failed}`);
    }
  }
  return report;
}

/**
 * Waits until `tableName` is ACTIVE. dynalite answers CreateTable with a CREATING table (even at createTableMs 0)
 * and refuses items until it is ACTIVE; on a busy machine the next request can come first.
 */
export async function tableActive(ddb: DynamoDBClient, tableName: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline)
      throw new Error(`table ${tableName} is still ${Table?.TableStatus} after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One line for the log: what the table got, and what its engine does not implement. */
export function describeTable(report: TableReport): string {
  return [
    `table ${report.tableName} ${report.created ? 'created' : 'kept'}`,
    report.set.length > 0 ? `set ${report.set.join('; ')}` : '',
    report.unsupported.length > 0 ? `not on this engine: ${report.unsupported.join(', ')}` : '',
    report.failed.length > 0 ? `FAILED ${report.failed.join('; ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

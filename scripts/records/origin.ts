/**
 * Where a table's records come from: the account and region in its ARN (DescribeTable). The OCSF events
 * name them (`cloud`) and the lake's layout files them under them, whoever runs the export and from where.
 */
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CommandError, translateNotFound } from '../core/cli.ts';

export interface RecordsOrigin {
  region: string;
  accountId: string;
}

export async function tableOrigin(ddb: DynamoDBClient, table: string, check: string): Promise<RecordsOrigin> {
  let arn: string | undefined;
  try {
    arn = (await ddb.send(new DescribeTableCommand({ TableName: table }))).Table?.TableArn;
  } catch (error) {
    throw translateNotFound(error, `table ${table}`, check);
  }
  const match = /^arn:[\w-]+:dynamodb:([a-z0-9-]+):(\d{12}):table\//.exec(arn ?? '');
  if (!match) throw new CommandError(`table ${table} has no ARN naming its account and region (${arn})`);
  return { region: match[1] as string, accountId: match[2] as string };
}

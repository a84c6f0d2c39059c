/** Reads a deployed stack of this application: its outputs and parameters, with errors that say what to check. */
import { CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { CommandError, explainAwsError } from './cli.ts';

export interface StackInfo {
  /** The named output's value; a CommandError when the stack lacks it (not this application's stack). */
  output(key: string): string;
  /** The named output's value, or undefined. */
  optionalOutput(key: string): string | undefined;
  parameter(key: string): string | undefined;
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
  const optionalOutput = (key: string) => stack?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
  return {
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
  const client = new CloudFormationClient(region ? { region } : {});
  try {
    return await readStack(client, stackName);
  } finally {
    client.destroy();
  }
}

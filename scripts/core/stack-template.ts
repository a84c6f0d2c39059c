/**
 * What a deployed stack declares, read from CloudFormation itself: its processed template (GetTemplate,
 * TemplateStage Processed: JSON with the intrinsics in place), its parameters and its resources' physical ids
 * (DescribeStackResources), with every intrinsic resolved as CloudFormation resolved it (intrinsics.ts). Commands
 * compare the live settings of the stack's tables and rules with this, never with a template file on disk.
 */
import {
  type CloudFormationClient,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import { CommandError, explainAwsError } from './cli.ts';
import {
  evaluateConditions,
  NO_VALUE,
  presentResources,
  type References,
  resolve,
  type Template,
  UnresolvableError,
} from './intrinsics.ts';

/** Where a stack lives: the partition, region and account of its ARNs. */
export interface Location {
  partition: string;
  region: string;
  account: string;
}

/** From a stack id (`arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>`). */
export function locationOfStackId(stackId: string): Location {
  const match = /^arn:([\w-]+):cloudformation:([\w-]+):(\d{12}):stack\//.exec(stackId);
  if (!match) throw new CommandError(`"${stackId}" is not a CloudFormation stack id`);
  return { partition: match[1] as string, region: match[2] as string, account: match[3] as string };
}

/** The part after the last `separator` (a queue URL's or a topic ARN's name). */
const lastPart = (text: string, separator: string) => text.slice(text.lastIndexOf(separator) + 1);

/**
 * `Ref` and `Fn::GetAtt` of a resource from its type and physical id, as CloudFormation returns them for the
 * types this application declares. An attribute that cannot be derived from the physical id is an error that
 * names it (add the type here rather than guess).
 */
export function resourceReferences(
  type: string,
  physicalId: string,
  properties: Template,
  { partition, region, account }: Location,
): { ref: string; getAtt(attribute: string): string } {
  const arn = (service: string, resource: string, withRegion = true) =>
    `arn:${partition}:${service}:${withRegion ? region : ''}:${account}:${resource}`;
  const attributes: Record<string, () => string> = {};
  let ref = physicalId;
  switch (type) {
    case 'AWS::DynamoDB::Table':
      attributes.Arn = () => arn('dynamodb', `table/${physicalId}`);
      break;
    case 'AWS::IAM::Role': {
      const path = typeof properties.Path === 'string' ? properties.Path : '/';
      attributes.Arn = () => arn('iam', `role${path}${physicalId}`, false);
      break;
    }
    case 'AWS::Lambda::Function':
    case 'AWS::Serverless::Function':
      attributes.Arn = () => arn('lambda', `function:${physicalId}`);
      break;
    case 'AWS::Events::Rule': {
      // A rule on a custom bus has the physical id "<bus>|<name>" and the ARN rule/<bus>/<name>.
      const [bus, name] = physicalId.includes('|') ? physicalId.split('|') : ['default', physicalId];
      attributes.Arn = () => arn('events', bus === 'default' ? `rule/${name}` : `rule/${bus}/${name}`);
      break;
    }
    case 'AWS::SNS::Topic':
      attributes.TopicArn = () => physicalId;
      attributes.TopicName = () => lastPart(physicalId, ':');
      break;
    case 'AWS::SQS::Queue':
      attributes.QueueUrl = () => physicalId;
      attributes.QueueName = () => lastPart(physicalId, '/');
      attributes.Arn = () => arn('sqs', lastPart(physicalId, '/'));
      break;
    case 'AWS::Logs::LogGroup':
      attributes.Arn = () => arn('logs', `log-group:${physicalId}:*`);
      break;
    case 'AWS::KMS::Key':
      attributes.KeyId = () => physicalId;
      attributes.Arn = () => arn('kms', `key/${physicalId}`);
      break;
    case 'AWS::SecretsManager::Secret':
      attributes.Id = () => physicalId;
      break;
    default:
      ref = physicalId;
  }
  return {
    ref,
    getAtt(attribute) {
      const derive = attributes[attribute];
      if (!derive) throw new UnresolvableError(`${type}.${attribute} cannot be derived from the physical id`);
      return derive();
    },
  };
}

/** The pseudo parameters CloudFormation sets for a stack. */
export function pseudoParameters(
  stackName: string,
  stackId: string,
  location: Location,
): Record<string, string> {
  return {
    'AWS::StackName': stackName,
    'AWS::StackId': stackId,
    'AWS::Region': location.region,
    'AWS::AccountId': location.account,
    'AWS::Partition': location.partition,
    'AWS::URLSuffix': location.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com',
  };
}

/** A template's parameters typed as lists, so that a `Ref` to one is an array as CloudFormation makes it. */
export function listParameterNames(template: Template): Set<string> {
  return new Set(
    Object.entries((template.Parameters ?? {}) as Record<string, { Type?: string }>)
      .filter(([, p]) => p.Type === 'CommaDelimitedList' || /^List</.test(p.Type ?? ''))
      .map(([name]) => name),
  );
}

/** Parameter values as given, with their defaults, lists split (an empty list value is [""], as CloudFormation has it). */
export function parameterValues(
  template: Template,
  given: Record<string, string>,
): Record<string, string | string[]> {
  const lists = listParameterNames(template);
  const values: Record<string, string | string[]> = {};
  for (const [name, declared] of Object.entries(
    (template.Parameters ?? {}) as Record<string, { Default?: unknown }>,
  )) {
    const value = given[name] ?? (declared.Default === undefined ? undefined : String(declared.Default));
    if (value === undefined) continue;
    values[name] = lists.has(name) ? value.split(',').map((v) => v.trim()) : value;
  }
  return values;
}

/** A stack's declaration with every reference resolved: what its resources were told to be. */
export interface DeclaredStack {
  stackName: string;
  /** The stack's outputs by key (DescribeStacks). */
  outputs: Record<string, string>;
  /** When the stack was last deployed (DescribeStacks: LastUpdatedTime, else CreationTime), ISO; when known. */
  deployedAt?: string;
  /** The parameter values it was deployed with, pseudo parameters included (lists as arrays). */
  parameters: Record<string, string | string[]>;
  location: Location;
  template: Template;
  conditions: Record<string, boolean>;
  /** Logical id → physical id of every resource the stack holds. */
  physicalIds: Record<string, string>;
  /** The resources of `type` the stack holds, with their properties resolved. */
  resourcesOfType(type: string): DeclaredResource[];
  /** One resolved value of the template (for a property path a caller picks). */
  resolved(value: unknown): unknown;
}

export interface DeclaredResource {
  logicalId: string;
  physicalId: string;
  type: string;
  /** The properties that resolve, resolved (one that names a resource the stack does not hold does not). */
  properties: Template;
  /** The properties that could not be resolved, with why. */
  unresolvable: Record<string, string>;
}

/** The declaration of `template` deployed with these parameters and physical ids. */
export function declaredStack(options: {
  stackName: string;
  stackId: string;
  template: Template;
  parameters: Record<string, string>;
  physicalIds: Record<string, string>;
  outputs?: Record<string, string>;
  deployedAt?: string;
}): DeclaredStack {
  const location = locationOfStackId(options.stackId);
  const { template, physicalIds } = options;
  const parameters = {
    ...parameterValues(template, options.parameters),
    ...pseudoParameters(options.stackName, options.stackId, location),
  };
  const conditions = evaluateConditions(template, parameters);
  const resourceOf = (logicalId: string) => {
    const resource = template.Resources?.[logicalId] as Template | undefined;
    const physicalId = physicalIds[logicalId];
    if (!resource) throw new UnresolvableError(`the template has no resource ${logicalId}`);
    if (physicalId === undefined) throw new UnresolvableError(`the stack holds no resource ${logicalId}`);
    return resourceReferences(resource.Type, physicalId, resource.Properties ?? {}, location);
  };
  const refs: References = {
    parameters,
    ref: (logicalId) => resourceOf(logicalId).ref,
    getAtt: (logicalId, attribute) => resourceOf(logicalId).getAtt(attribute),
  };
  const resolved = (value: unknown) => {
    const result = resolve(value, refs, conditions);
    return result === NO_VALUE ? undefined : result;
  };
  return {
    stackName: options.stackName,
    outputs: options.outputs ?? {},
    ...(options.deployedAt ? { deployedAt: options.deployedAt } : {}),
    parameters,
    location,
    template,
    conditions,
    physicalIds,
    resolved,
    resourcesOfType(type) {
      return presentResources(template, conditions)
        .filter(([logicalId, resource]) => resource.Type === type && physicalIds[logicalId] !== undefined)
        .map(([logicalId, resource]) => {
          const properties: Template = {};
          const unresolvable: Record<string, string> = {};
          for (const [name, value] of Object.entries((resource.Properties ?? {}) as Template)) {
            try {
              const resolvedValue = resolved(value);
              if (resolvedValue !== undefined) properties[name] = resolvedValue;
            } catch (error) {
              if (!(error instanceof UnresolvableError)) throw error;
              unresolvable[name] = error.message;
            }
          }
          return { logicalId, physicalId: physicalIds[logicalId] as string, type, properties, unresolvable };
        });
    },
  };
}

/**
 * Reads a deployed stack's declaration from CloudFormation: DescribeStacks (parameters, stack id), GetTemplate
 * (the processed template) and DescribeStackResources (physical ids).
 */
export async function readDeclaredStack(
  client: CloudFormationClient,
  stackName: string,
  sendOptions: () => { abortSignal?: AbortSignal } = () => ({}),
): Promise<DeclaredStack> {
  try {
    const stack = (await client.send(new DescribeStacksCommand({ StackName: stackName }), sendOptions()))
      .Stacks?.[0];
    if (!stack?.StackId)
      throw new CommandError(`stack "${stackName}" does not exist (check --stack-name and --region)`);
    const body = (
      await client.send(
        new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Processed' }),
        sendOptions(),
      )
    ).TemplateBody;
    let template: Template;
    try {
      template = JSON.parse(body ?? '') as Template;
    } catch {
      throw new CommandError(
        `stack "${stackName}"'s processed template is not JSON; it was not deployed from this application's template (sam deploy)`,
      );
    }
    const resources =
      (await client.send(new DescribeStackResourcesCommand({ StackName: stackName }), sendOptions()))
        .StackResources ?? [];
    const physicalIds = Object.fromEntries(
      resources
        .filter((r) => r.LogicalResourceId && r.PhysicalResourceId)
        .map((r) => [r.LogicalResourceId as string, r.PhysicalResourceId as string]),
    );
    const parameters = Object.fromEntries(
      (stack.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ResolvedValue ?? p.ParameterValue ?? '']),
    );
    const outputs = Object.fromEntries(
      (stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
    );
    const deployed = stack.LastUpdatedTime ?? stack.CreationTime;
    return declaredStack({
      stackName,
      stackId: stack.StackId,
      template,
      parameters,
      physicalIds,
      outputs,
      ...(deployed ? { deployedAt: deployed.toISOString() } : {}),
    });
  } catch (error) {
    if (error instanceof CommandError || explainAwsError(error as Error)) throw error;
    if (/does not exist/i.test((error as Error).message)) {
      throw new CommandError(`stack "${stackName}" does not exist (check --stack-name and --region)`);
    }
    throw new CommandError(
      `cannot read stack "${stackName}": ${(error as Error).name}: ${(error as Error).message}`,
    );
  }
}

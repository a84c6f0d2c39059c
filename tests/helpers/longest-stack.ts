/**
 * The longest stack this template can be deployed as: a 128-character stack name (CloudFormation's maximum), the
 * longest partition, region and user pool id, the most app client ids the template allows, and every resource
 * named as CloudFormation names it when the template gives no name: `<stack>-<LogicalId>-<13 random characters>`,
 * cut to the length the service allows (CloudFormation shortens the stack and logical-id parts of a generated
 * name to fit: an IAM role, a Lambda function and an EventBridge rule hold 64 characters). Pattern sizes depend
 * on lengths only, so every reference resolves to a value of its realistic longest length.
 */
import { type References, resolve, type Template, UnresolvableError } from '../../scripts/core/intrinsics.ts';
import {
  type Location,
  listParameterNames,
  pseudoParameters,
  resourceReferences,
} from '../../scripts/core/stack-template.ts';

/** The longest names that can occur (never together in one real account: an upper bound). */
export const LONGEST: Location & { stackName: string } = {
  stackName: `L${'o'.repeat(126)}g`,
  partition: 'aws-us-gov',
  region: 'us-isof-south-1',
  account: '123456789012',
};

/** Cognito's app client ids are 26 characters (the API allows 1 to 128; Cognito generates 26). */
export const CLIENT_ID_LENGTH = 26;
/** A user pool id: `<region>_<suffix>`, at most 55 characters (UserPoolIdType). */
export const POOL_ID_MAX_LENGTH = 55;
/** The random tail CloudFormation appends to a generated name (12 or 13 characters; 13 is the longer). */
const RANDOM = 'ABCDEFGHJKMNP';

/**
 * Per resource type: the property that names it (its path in Properties) and the most characters the service
 * allows, from each type's CloudFormation reference page.
 */
export const RESOURCE_NAMES: Record<string, { path: readonly string[]; limit: number }> = {
  'AWS::DynamoDB::Table': { path: ['TableName'], limit: 255 },
  'AWS::IAM::Role': { path: ['RoleName'], limit: 64 },
  'AWS::Lambda::Function': { path: ['FunctionName'], limit: 64 },
  'AWS::Serverless::Function': { path: ['FunctionName'], limit: 64 },
  'AWS::Events::Rule': { path: ['Name'], limit: 64 },
  'AWS::Scheduler::Schedule': { path: ['Name'], limit: 64 },
  'AWS::SNS::Topic': { path: ['TopicName'], limit: 256 },
  'AWS::SQS::Queue': { path: ['QueueName'], limit: 80 },
  'AWS::Logs::LogGroup': { path: ['LogGroupName'], limit: 512 },
  'AWS::SecretsManager::Secret': { path: ['Name'], limit: 512 },
  'AWS::CloudWatch::Alarm': { path: ['AlarmName'], limit: 255 },
  'AWS::CloudWatch::InsightRule': { path: ['RuleName'], limit: 128 },
  'AWS::Athena::WorkGroup': { path: ['Name'], limit: 128 },
  'AWS::Athena::NamedQuery': { path: ['Name'], limit: 128 },
  'AWS::Glue::Database': { path: ['DatabaseInput', 'Name'], limit: 255 },
  'AWS::Glue::Table': { path: ['TableInput', 'Name'], limit: 255 },
  'AWS::KMS::Alias': { path: ['AliasName'], limit: 256 },
  'AWS::S3::Bucket': { path: ['BucketName'], limit: 63 },
};

/**
 * The types whose generated names are measured cut to their limit (CloudFormation shortens the stack and
 * logical-id parts to fit); any other type's generated name is taken at 255 characters, an upper bound.
 */
const GENERATED_NAME_CUT = new Set([
  'AWS::DynamoDB::Table',
  'AWS::IAM::Role',
  'AWS::Lambda::Function',
  'AWS::Serverless::Function',
  'AWS::Events::Rule',
  'AWS::Scheduler::Schedule',
  'AWS::SNS::Topic',
  'AWS::SQS::Queue',
  'AWS::Logs::LogGroup',
  'AWS::SecretsManager::Secret',
]);

/** The name `resource` declares for itself, unresolved, or undefined when CloudFormation generates one. */
export function declaredName(resource: Template): unknown {
  const path = RESOURCE_NAMES[resource.Type as string]?.path ?? [];
  if (path.length === 0) return undefined;
  return path.reduce<unknown>(
    (node, key) => (node as Record<string, unknown> | undefined)?.[key],
    resource.Properties,
  );
}

export function generatedName(stackName: string, logicalId: string, limit: number): string {
  return `${stackName}-${logicalId}-${RANDOM}`.slice(0, limit);
}

/** The physical id of a resource named `name`: what CloudFormation's DescribeStackResources reports. */
function physicalIdOf(type: string, name: string): string {
  const { partition, region, account } = LONGEST;
  switch (type) {
    case 'AWS::SNS::Topic':
      return `arn:${partition}:sns:${region}:${account}:${name}`;
    case 'AWS::SQS::Queue':
      return `https://sqs.${region}.amazonaws.com/${account}/${name}`;
    case 'AWS::SecretsManager::Secret':
      return `arn:${partition}:secretsmanager:${region}:${account}:secret:${name}-AbCdEf`;
    case 'AWS::KMS::Key':
      return '1234abcd-12ab-34cd-56ef-1234567890ab';
    default:
      return name;
  }
}

/** The longest value of each parameter a pattern may hold that has no AllowedValues to enumerate. */
export function longestParameters(maxClientIds: number): Record<string, string> {
  const poolId = `${LONGEST.region}_`.padEnd(POOL_ID_MAX_LENGTH, 'A');
  return {
    CognitoUserPoolArn: `arn:${LONGEST.partition}:cognito-idp:${LONGEST.region}:${LONGEST.account}:userpool/${poolId}`,
    AuthEventsClientIds: Array.from({ length: maxClientIds }, (_, i) =>
      `${i}`.padEnd(CLIENT_ID_LENGTH, 'x'),
    ).join(','),
    AlarmEmail: `${'a'.repeat(64)}@${'b'.repeat(185)}.com`,
  };
}

/**
 * A resource SAM's transform adds that the template may refer to by its generated logical id: the schedule of a
 * function's ScheduleV2 event is `<Function><Event>`, an AWS::Scheduler::Schedule with the event's properties.
 */
function samGenerated(template: Template, logicalId: string): Template | undefined {
  for (const [functionId, resource] of Object.entries(template.Resources as Record<string, Template>)) {
    if (resource.Type !== 'AWS::Serverless::Function') continue;
    for (const [eventId, event] of Object.entries(
      (resource.Properties?.Events ?? {}) as Record<string, Template>,
    )) {
      if (event.Type === 'ScheduleV2' && `${functionId}${eventId}` === logicalId) {
        return { Type: 'AWS::Scheduler::Schedule', Properties: event.Properties ?? {} };
      }
    }
  }
  return undefined;
}

/** References of the longest stack for `parameters` (lists split as CloudFormation splits them). */
export function longestReferences(template: Template, parameters: Record<string, string>): References {
  const lists = listParameterNames(template);
  const values: Record<string, string | string[]> = {
    ...pseudoParameters(
      LONGEST.stackName,
      `arn:${LONGEST.partition}:cloudformation:${LONGEST.region}:${LONGEST.account}:stack/${LONGEST.stackName}/12345678-1234-1234-1234-123456789012`,
      LONGEST,
    ),
  };
  for (const [name, value] of Object.entries(parameters)) {
    values[name] = lists.has(name) ? value.split(',') : value;
  }
  const referencesOf = (logicalId: string) => {
    const resource = (template.Resources?.[logicalId] ?? samGenerated(template, logicalId)) as
      | Template
      | undefined;
    if (!resource) throw new UnresolvableError(`no resource ${logicalId}`);
    // A name the template gives (from the stack's id or name) is resolved as declared; otherwise
    // CloudFormation's generated name at its longest.
    const explicit = declaredName(resource);
    const name =
      explicit === undefined
        ? generatedName(
            LONGEST.stackName,
            logicalId,
            (GENERATED_NAME_CUT.has(resource.Type) && RESOURCE_NAMES[resource.Type]?.limit) || 255,
          )
        : resolve(explicit, references, {});
    if (typeof name !== 'string') throw new UnresolvableError(`${logicalId}'s name is not a string`);
    return resourceReferences(
      resource.Type,
      physicalIdOf(resource.Type, name),
      resource.Properties ?? {},
      LONGEST,
    );
  };
  const references: References = {
    parameters: values,
    ref: (logicalId) => referencesOf(logicalId).ref,
    getAtt: (logicalId, attribute) => referencesOf(logicalId).getAtt(attribute),
  };
  return references;
}

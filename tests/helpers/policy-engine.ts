/**
 * The template's IAM policies as AWS would evaluate them, through a real policy engine
 * (@cloud-copilot/iam-simulate: identity and resource policies, every condition operator). Intrinsics are
 * resolved to the ARNs a deployment in a test account would have.
 *
 * iam-simulate is AGPL-3.0: a devDependency used by tests only, never imported by the function or the commands.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { resolveConditions, type Template } from '../../dev/build/template.ts';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const STACK = 'login-history-test';

/** The ARN (Fn::GetAtt X.Arn) and the physical id (Ref X) of each resource of the template in the test account. */
export function deployedNames(template: Template): Record<string, { arn: string; ref: string }> {
  const names: Record<string, { arn: string; ref: string }> = {};
  for (const [id, resource] of Object.entries(template.Resources as Template)) {
    const physical = `${STACK}-${id}-TEST`;
    const type = resource.Type as string;
    const arn =
      type === 'AWS::IAM::Role'
        ? `arn:aws:iam::${ACCOUNT}:role/${physical}`
        : type === 'AWS::DynamoDB::Table'
          ? `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${physical}`
          : type === 'AWS::Logs::LogGroup'
            ? `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${physical}:*`
            : type === 'AWS::SecretsManager::Secret'
              ? `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${physical}-AbCdEf`
              : type === 'AWS::Events::Rule'
                ? `arn:aws:events:${REGION}:${ACCOUNT}:rule/${physical}`
                : `arn:aws:test:${REGION}:${ACCOUNT}:${id}`;
    // Ref: a table's, role's or log group's name; a secret's ARN.
    names[id] = { arn, ref: type === 'AWS::SecretsManager::Secret' ? arn : physical };
  }
  return names;
}

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': REGION,
  'AWS::AccountId': ACCOUNT,
  'AWS::StackName': STACK,
  'AWS::StackId': `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${STACK}/00000000-0000-0000-0000-000000000000`,
};

/** A template value (a policy document) with its conditions decided and its intrinsics resolved. */
export function resolvePolicy(
  template: Template,
  value: unknown,
  parameters: Record<string, string> = {},
): Template {
  const names = deployedNames(template);
  const ref = (name: string): string => {
    const resolved = PSEUDO[name] ?? names[name]?.ref ?? parameters[name];
    if (resolved === undefined) throw new Error(`cannot resolve Ref ${name}`);
    return resolved;
  };
  const getAtt = ([id, attribute]: [string, string]): string => {
    // A table's stream ARN is its ARN with the stream's label (a time) appended.
    if (attribute === 'StreamArn' && names[id]) return `${names[id].arn}/stream/2026-01-01T00:00:00.000`;
    if (attribute !== 'Arn' || !names[id]) throw new Error(`cannot resolve GetAtt ${id}.${attribute}`);
    return names[id].arn;
  };
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const obj = node as Record<string, unknown>;
    if (typeof obj.Ref === 'string') return ref(obj.Ref);
    if (obj['Fn::GetAtt']) return getAtt(obj['Fn::GetAtt'] as [string, string]);
    if (typeof obj['Fn::Sub'] === 'string') {
      return obj['Fn::Sub'].replace(/\$\{([^}]+)\}/g, (_, expr: string) =>
        expr.endsWith('.Arn') ? getAtt([expr.slice(0, -4), 'Arn']) : ref(expr),
      );
    }
    if (Object.keys(obj).some((k) => k.startsWith('Fn::'))) {
      throw new Error(`unsupported intrinsic in a policy: ${JSON.stringify(obj)}`);
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, walk(v)]));
  };
  return walk(resolveConditions(template, parameters)(value)) as Template;
}

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export interface Request {
  /** The role (or user) ARN; passed as aws:PrincipalArn, which the engine does not derive itself. */
  principal: string;
  identityPolicies: Template[];
  resourcePolicy?: Template;
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
}

/** The engine's decision; a request the engine cannot validate (unknown action, bad key) fails the test. */
export async function decide(request: Request): Promise<Decision> {
  const result = await runSimulation(
    {
      identityPolicies: request.identityPolicies.map((policy, i) => ({ name: `identity-${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: request.resourcePolicy,
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: ACCOUNT },
        contextVariables: { 'aws:PrincipalArn': request.principal, ...request.context },
      },
    },
    {},
  );
  if (result.resultType === 'error') {
    throw new Error(`the policy engine rejected the request: ${JSON.stringify(result.errors)}`);
  }
  return result.overallResult as Decision;
}

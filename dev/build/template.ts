/**
 * Reads template.yaml (with CloudFormation's short-form tags) so tests and the local stack use the
 * template's own definitions - table schema, handler, build settings, environment - instead of restating them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { parse, type Tags } from 'yaml';
import { PROJECT_ROOT } from '../../scripts/core/generic.ts';

// Re-exported: the build checks, tests and the local stack import it from here with the template.
export { PROJECT_ROOT };
export const TEMPLATE_PATH = join(PROJECT_ROOT, 'template.yaml');
export const FUNCTION_ID = 'AuthenticatedFunction';
export const TABLE_ID = 'LoginHistoryTable';
/** The auth-events part (issue 18; parameter AuthEvents=enabled). */
export const AUTH_EVENTS_FUNCTION_ID = 'AuthEventsFunction';
export const AUTH_EVENTS_TABLE_ID = 'AuthEventsTable';
export const AUTH_EVENTS_RULE_ID = 'AuthEventsRule';
/** The lake (issue 28; parameter Lake=enabled): its function and the stream mappings that feed it. */
export const LAKE_FUNCTION_ID = 'LakeFunction';
export const LAKE_BUCKET_ID = 'LakeBucket';
export const LAKE_STREAM_IDS = { signIns: 'LakeSignInsStream', authEvents: 'LakeAuthEventsStream' } as const;

// biome-ignore lint/suspicious/noExplicitAny: a CloudFormation template is untyped JSON
export type Template = Record<string, any>;

const INTRINSICS = [
  'Ref',
  'Condition',
  'GetAtt',
  'Sub',
  'If',
  'Select',
  'Split',
  'Not',
  'Equals',
  'Join',
  'And',
  'Or',
];

// `!Ref X` -> { Ref: X }, `!Condition C` -> { Condition: C }, `!GetAtt A.B` -> { 'Fn::GetAtt': ['A', 'B'] },
// `!Sub ...` -> { 'Fn::Sub': ... }
const cloudFormationTags: Tags = INTRINSICS.flatMap((name) => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  const wrap = (value: unknown) =>
    name === 'GetAtt' && typeof value === 'string' ? { [key]: value.split('.') } : { [key]: value };
  return (['scalar', 'seq', 'map'] as const).map((nodeClass) => ({
    tag: `!${name}`,
    collection: nodeClass === 'scalar' ? undefined : nodeClass,
    resolve: (value: unknown) => {
      const plain =
        value && typeof value === 'object' && 'toJSON' in value
          ? (value as { toJSON(): unknown }).toJSON()
          : value;
      return wrap(plain);
    },
  })) as Tags;
});

/**
 * The template as parsed, with `Globals.Function` merged into every AWS::Serverless::Function as SAM's
 * transform merges it, so that readers see each function's effective properties: a property the function
 * sets wins, maps merge key by key (LoggingConfig, Environment.Variables), lists add up.
 */
export function parseTemplate(text: string): Template {
  const template = parse(text, { customTags: cloudFormationTags }) as Template;
  const globals = template.Globals?.Function;
  if (globals) {
    for (const resource of Object.values(template.Resources ?? {}) as Template[]) {
      if (resource.Type === 'AWS::Serverless::Function') {
        resource.Properties = mergeGlobals(globals, resource.Properties ?? {});
      }
    }
  }
  return template;
}

function mergeGlobals(global: unknown, local: unknown): unknown {
  if (local === undefined) return global;
  if (Array.isArray(global) && Array.isArray(local)) return [...global, ...local];
  const isMap = (x: unknown) => x !== null && typeof x === 'object' && !Array.isArray(x);
  // An intrinsic function (`!Ref`, `!If`…) is a value, not a map to merge into.
  const intrinsic = (x: unknown) =>
    isMap(x) && Object.keys(x as object).some((k) => k === 'Ref' || k.startsWith('Fn::'));
  if (!isMap(global) || !isMap(local) || intrinsic(global) || intrinsic(local)) return local;
  const merged: Record<string, unknown> = { ...(global as Record<string, unknown>) };
  for (const [key, value] of Object.entries(local as Record<string, unknown>)) {
    merged[key] = mergeGlobals(merged[key], value);
  }
  return merged;
}

export function loadTemplate(path = TEMPLATE_PATH): Template {
  return parseTemplate(readFileSync(path, 'utf8'));
}

/**
 * Evaluates the template's conditions and `Fn::If` with the parameters (defaults unless overridden),
 * for the condition functions this template uses: Equals, Not, And, Or and a reference to another Condition.
 */
export function resolveConditions(template: Template, parameters: Record<string, string> = {}) {
  const values = { ...parameterDefaults(template), ...parameters };
  const declared = (template.Conditions ?? {}) as Record<string, unknown>;
  const evaluate = (expr: unknown): boolean => {
    const e = expr as Record<string, unknown[]> & { Condition?: string };
    if (e['Fn::Equals']) {
      const [a, b] = e['Fn::Equals'].map((x) => String(resolveValue(x, values)));
      return a === b;
    }
    if (e['Fn::Not']) return !evaluate(e['Fn::Not'][0]);
    if (e['Fn::And']) return e['Fn::And'].every(evaluate);
    if (e['Fn::Or']) return e['Fn::Or'].some(evaluate);
    if (typeof (expr as { Condition?: unknown }).Condition === 'string') {
      const name = (expr as { Condition: string }).Condition;
      if (!(name in (template.Conditions ?? {}))) throw new Error(`unknown condition ${name}`);
      return evaluate(template.Conditions[name]);
    }
    throw new Error(`unsupported condition ${JSON.stringify(expr)}`);
  };
  const conditions = Object.fromEntries(
    Object.entries(declared).map(([name, expr]) => [name, evaluate(expr)]),
  );
  const resolveIfs = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(resolveIfs).filter((x) => x !== NO_VALUE);
    if (node && typeof node === 'object') {
      const obj = node as Record<string, unknown>;
      if ('Fn::If' in obj) {
        const [name, whenTrue, whenFalse] = obj['Fn::If'] as [string, unknown, unknown];
        if (!(name in conditions)) throw new Error(`unknown condition ${name}`);
        return resolveIfs(conditions[name] ? whenTrue : whenFalse);
      }
      if (obj.Ref === 'AWS::NoValue') return NO_VALUE;
      return Object.fromEntries(
        Object.entries(obj)
          .map(([k, v]) => [k, resolveIfs(v)] as const)
          .filter(([, v]) => v !== NO_VALUE),
      );
    }
    return node;
  };
  return resolveIfs;
}
const NO_VALUE = Symbol('AWS::NoValue');

/** The table's key schema and indexes as a CreateTable input (the settings a local engine understands). */
export function tableCreateInput(
  template: Template,
  tableName: string,
  parameters: Record<string, string> = {},
  tableId = TABLE_ID,
): CreateTableCommandInput {
  const props = resolveConditions(template, parameters)(template.Resources[tableId].Properties) as Template;
  return {
    TableName: tableName,
    BillingMode: props.BillingMode,
    AttributeDefinitions: props.AttributeDefinitions,
    KeySchema: props.KeySchema,
    GlobalSecondaryIndexes: props.GlobalSecondaryIndexes,
  };
}

export interface FunctionSettings {
  /** Module file name (without extension) and export, from `Handler: file.export`. */
  handlerFile: string;
  handlerExport: string;
  codeUri: string;
  timeoutSeconds: number;
  memoryMb: number;
  buildProperties: Record<string, unknown>;
  /** Environment with parameters at their defaults (or overrides) and the table resolved to `tableName`. */
  environment: Record<string, string>;
  /**
   * What Lambda itself sets from the function's LoggingConfig: AWS_LAMBDA_LOG_FORMAT, and with JSON
   * AWS_LAMBDA_LOG_LEVEL (ApplicationLogLevel). The Node.js runtime formats and filters console output by them.
   */
  runtimeEnvironment: Record<string, string>;
}

export function parameterDefaults(template: Template): Record<string, string> {
  return Object.fromEntries(
    Object.entries(template.Parameters ?? {}).map(([name, p]) => [
      name,
      String((p as { Default?: unknown }).Default ?? ''),
    ]),
  );
}

function resolveValue(value: unknown, refs: Record<string, string>): string | number {
  const resolved = resolveIntrinsics(value, refs, new Set());
  if (typeof resolved === 'string' || typeof resolved === 'number') return resolved;
  throw new Error(`cannot resolve ${JSON.stringify(value)} to one value locally`);
}

/** Names of the template's CommaDelimitedList parameters: a `Ref` to one is a list. */
function listParameters(template: Template): Set<string> {
  return new Set(
    Object.entries(template.Parameters ?? {})
      .filter(([, p]) => (p as { Type?: string }).Type === 'CommaDelimitedList')
      .map(([name]) => name),
  );
}

/**
 * Resolves Ref (to parameters and the given resource names), Fn::Select, Fn::Split and Fn::Join in any
 * value, as CloudFormation would; anything else is an error (the local stack cannot guess it).
 */
export function resolveIntrinsics(value: unknown, refs: Record<string, string>, lists: Set<string>): unknown {
  const resolve = (v: unknown) => resolveIntrinsics(v, refs, lists);
  if (Array.isArray(value)) return value.map(resolve);
  if (!value || typeof value !== 'object') return value;
  const node = value as Record<string, unknown>;
  if ('Ref' in node) {
    const ref = String(node.Ref);
    if (!(ref in refs)) throw new Error(`cannot resolve Ref ${ref} locally`);
    return lists.has(ref) ? String(refs[ref]).split(',') : refs[ref];
  }
  if ('Fn::Select' in node) {
    const [index, list] = node['Fn::Select'] as [unknown, unknown];
    return (resolve(list) as unknown[])[Number(resolve(index))];
  }
  if ('Fn::Split' in node) {
    const [separator, text] = node['Fn::Split'] as [string, unknown];
    return String(resolve(text)).split(separator);
  }
  if ('Fn::Join' in node) {
    const [separator, list] = node['Fn::Join'] as [string, unknown];
    return (resolve(list) as unknown[]).join(separator);
  }
  const intrinsic = Object.keys(node).find((key) => key.startsWith('Fn::'));
  if (intrinsic) throw new Error(`cannot resolve ${intrinsic} locally`);
  return Object.fromEntries(Object.entries(node).map(([key, v]) => [key, resolve(v)]));
}

/** A property of a resource with the parameters (defaults unless overridden) and conditions applied. */
export function resolvedProperty(
  template: Template,
  resourceId: string,
  property: string,
  {
    parameters = {},
    resources = {},
  }: { parameters?: Record<string, string>; resources?: Record<string, string> } = {},
): unknown {
  const refs = { ...parameterDefaults(template), ...parameters, ...resources };
  const value = resolveConditions(template, parameters)(template.Resources[resourceId].Properties[property]);
  return resolveIntrinsics(value, refs, listParameters(template));
}

export function functionSettings(
  template: Template,
  {
    tableName,
    parameters = {},
    functionId = FUNCTION_ID,
    tableId = functionId === AUTH_EVENTS_FUNCTION_ID ? AUTH_EVENTS_TABLE_ID : TABLE_ID,
    resources = {},
  }: {
    tableName: string;
    parameters?: Record<string, string>;
    functionId?: string;
    tableId?: string;
    /** What other Refs in its environment name (resources, pseudo parameters such as AWS::AccountId). */
    resources?: Record<string, string>;
  },
): FunctionSettings {
  const fn = template.Resources[functionId];
  const refs = { ...parameterDefaults(template), ...parameters, ...resources, [tableId]: tableName };
  const [handlerFile, handlerExport] = String(fn.Properties.Handler).split('.');
  if (!handlerFile || !handlerExport) throw new Error(`unexpected Handler ${fn.Properties.Handler}`);
  // As CloudFormation deploys it: a variable whose value is AWS::NoValue is not set at all.
  const variables = resolveConditions(
    template,
    parameters,
  )(fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
  return {
    handlerFile,
    handlerExport,
    codeUri: join(PROJECT_ROOT, fn.Properties.CodeUri),
    timeoutSeconds: Number(resolveValue(fn.Properties.Timeout, refs)),
    memoryMb: Number(resolveValue(fn.Properties.MemorySize, refs)),
    buildProperties: fn.Metadata.BuildProperties,
    environment: Object.fromEntries(
      Object.entries(variables).map(([name, value]) => [
        name,
        String(resolveIntrinsics(value, refs, listParameters(template))),
      ]),
    ),
    runtimeEnvironment: runtimeEnvironment(fn.Properties.LoggingConfig),
  };
}

function runtimeEnvironment(
  logging: { LogFormat?: string; ApplicationLogLevel?: string } | undefined,
): Record<string, string> {
  const format = logging?.LogFormat ?? 'Text';
  return format === 'JSON'
    ? { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: logging?.ApplicationLogLevel ?? 'INFO' }
    : { AWS_LAMBDA_LOG_FORMAT: format };
}

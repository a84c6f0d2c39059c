/**
 * Reads template.yaml (with CloudFormation's short-form tags) so tests and the local stack use the
 * template's own definitions - table schema, handler, build settings, environment - instead of restating them.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { parse, type Tags } from 'yaml';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TEMPLATE_PATH = join(PROJECT_ROOT, 'template.yaml');
export const FUNCTION_ID = 'AuthenticatedFunction';
export const TABLE_ID = 'LoginHistoryTable';

// biome-ignore lint/suspicious/noExplicitAny: a CloudFormation template is untyped JSON
export type Template = Record<string, any>;

const INTRINSICS = ['Ref', 'GetAtt', 'Sub', 'If', 'Select', 'Split', 'Not', 'Equals', 'Join', 'And', 'Or'];

// `!Ref X` -> { Ref: X }, `!GetAtt A.B` -> { 'Fn::GetAtt': ['A', 'B'] }, `!Sub ...` -> { 'Fn::Sub': ... }
const cloudFormationTags: Tags = INTRINSICS.flatMap((name) => {
  const key = name === 'Ref' ? 'Ref' : `Fn::${name}`;
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

export function parseTemplate(text: string): Template {
  return parse(text, { customTags: cloudFormationTags }) as Template;
}

export function loadTemplate(path = TEMPLATE_PATH): Template {
  return parseTemplate(readFileSync(path, 'utf8'));
}

/** The table's key schema and indexes as a CreateTable input (the settings a local engine understands). */
export function tableCreateInput(template: Template, tableName: string): CreateTableCommandInput {
  const props = template.Resources[TABLE_ID].Properties;
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
  if (typeof value === 'string' || typeof value === 'number') return value;
  const ref = (value as { Ref?: string } | null)?.Ref;
  if (ref !== undefined && ref in refs) return refs[ref] as string;
  throw new Error(`cannot resolve ${JSON.stringify(value)} locally`);
}

export function functionSettings(
  template: Template,
  { tableName, parameters = {} }: { tableName: string; parameters?: Record<string, string> },
): FunctionSettings {
  const fn = template.Resources[FUNCTION_ID];
  const refs = { ...parameterDefaults(template), ...parameters, [TABLE_ID]: tableName };
  const [handlerFile, handlerExport] = String(fn.Properties.Handler).split('.');
  if (!handlerFile || !handlerExport) throw new Error(`unexpected Handler ${fn.Properties.Handler}`);
  const variables = (fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
  return {
    handlerFile,
    handlerExport,
    codeUri: join(PROJECT_ROOT, fn.Properties.CodeUri),
    timeoutSeconds: Number(resolveValue(fn.Properties.Timeout, refs)),
    memoryMb: Number(resolveValue(fn.Properties.MemorySize, refs)),
    buildProperties: fn.Metadata.BuildProperties,
    environment: Object.fromEntries(
      Object.entries(variables).map(([name, value]) => [name, String(resolveValue(value, refs))]),
    ),
  };
}

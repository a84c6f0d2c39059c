/**
 * template.yaml as CloudFormation holds it after `sam deploy` (GetTemplate, TemplateStage Processed): SAM's own
 * transform (samtranslator, pinned with the SAM CLI in .venv/sam) applied to it, with the code location `sam
 * package` would write. And the part of it moto's CloudFormation can create: moto skips resource types it does not
 * implement (alarms, metric filters, role policies, …), so those, and whatever refers to them, are left out; every
 * resource that remains is exactly as processed.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { TEMPLATE_PATH } from '../../dev/build/template.ts';
import { findTool, OFFLINE_TOOL_ENV, TOOLS } from '../../dev/build/toolchain.ts';
import type { Template } from '../../scripts/core/intrinsics.ts';

/** Where `sam package` would have put the functions' code (moto's S3 must hold this object). */
export const CODE_LOCATION = { bucket: 'sam-artifacts-login-history', key: 'login-history.zip' };

const TRANSFORM = `
import json, sys
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse
template = yaml_parse(open(sys.argv[1]).read())
template['Globals']['Function']['CodeUri'] = sys.argv[2]
class NoManagedPolicies:
    def load(self): return {}
print(json.dumps(transform(template, {}, NoManagedPolicies())))
`;

let processed: Template | undefined;

/** The processed template, or undefined when the SAM CLI's venv is not provisioned. */
export function processedTemplate(): Template | undefined {
  if (processed) return structuredClone(processed);
  const sam = findTool(TOOLS.sam);
  if (!sam) return undefined;
  const output = execFileSync(
    join(dirname(sam), 'python'),
    ['-c', TRANSFORM, TEMPLATE_PATH, `s3://${CODE_LOCATION.bucket}/${CODE_LOCATION.key}`],
    { encoding: 'utf8', env: { ...process.env, ...OFFLINE_TOOL_ENV }, maxBuffer: 16 * 1024 * 1024 },
  );
  processed = JSON.parse(output) as Template;
  return structuredClone(processed);
}

/** The resource types moto's CloudFormation creates (moto's own model map), or undefined without moto. */
export function motoCloudFormationTypes(): Set<string> | undefined {
  const moto = findTool(TOOLS.moto);
  if (!moto) return undefined;
  const output = execFileSync(
    join(dirname(moto), 'python'),
    [
      '-c',
      'import json\nfrom moto.cloudformation.parsing import get_model_map\nprint(json.dumps(sorted(get_model_map())))',
    ],
    { encoding: 'utf8' },
  );
  return new Set(JSON.parse(output) as string[]);
}

/** Logical ids a value refers to (Ref, Fn::GetAtt, ${…} in Fn::Sub). */
export function referencesIn(value: unknown): Set<string> {
  const text = JSON.stringify(value);
  const ids = new Set<string>();
  for (const m of text.matchAll(/"Ref":"([A-Za-z0-9]+)"/g)) ids.add(m[1] as string);
  for (const m of text.matchAll(/"Fn::GetAtt":\["([A-Za-z0-9]+)"/g)) ids.add(m[1] as string);
  for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)[.}]/g)) ids.add(m[1] as string);
  return ids;
}

/**
 * The processed template without the resources moto cannot create and those that refer to them, and without the
 * outputs that name them; a DependsOn on a left-out resource is dropped (it orders creation, it sets nothing).
 * Returns the template and what was left out.
 */
export function motoSubset(
  template: Template,
  supported: Set<string>,
): { template: Template; omitted: string[] } {
  const subset = structuredClone(template);
  const resources = subset.Resources as Record<string, Template>;
  const omitted = new Set(Object.keys(resources).filter((id) => !supported.has(resources[id]?.Type)));
  for (let changed = true; changed; ) {
    changed = false;
    for (const [id, resource] of Object.entries(resources)) {
      if (omitted.has(id)) continue;
      const { DependsOn: _, ...properties } = resource;
      if ([...referencesIn(properties)].some((ref) => omitted.has(ref))) {
        omitted.add(id);
        changed = true;
      }
    }
  }
  for (const id of omitted) delete resources[id];
  for (const resource of Object.values(resources)) {
    const kept = ([resource.DependsOn ?? []].flat() as string[]).filter((id) => !omitted.has(id));
    if (kept.length > 0) resource.DependsOn = kept;
    else delete resource.DependsOn;
  }
  subset.Outputs = Object.fromEntries(
    Object.entries((subset.Outputs ?? {}) as Record<string, unknown>).filter(
      ([, output]) => ![...referencesIn(output)].some((ref) => omitted.has(ref)),
    ),
  );
  return { template: subset, omitted: [...omitted].sort() };
}

/**
 * OCSF's own JSON Schema for the Authentication class (3002) with the cloud profile, at the version the
 * mapping pins, generated offline by `ocsf-json-schema` (its venv, .ci/requirements.txt) and compiled with
 * ajv's draft 2020-12 validator. The generator makes every object closed (additionalProperties: false) and
 * expresses OCSF's constraints (at least one of service / dst_endpoint…); what it does not check (type_uid)
 * the tests check themselves.
 */
import { spawnSync } from 'node:child_process';
import ajv2020 from 'ajv/dist/2020.js';
import { findTool, TOOLS } from '../../dev/build/toolchain.ts';

const GENERATE = [
  'import json, sys',
  'from ocsf_json_schema import OcsfJsonSchemaEmbedded, get_ocsf_schema',
  'schema = OcsfJsonSchemaEmbedded(get_ocsf_schema(sys.argv[1])).get_class_schema("authentication", ["cloud"])',
  'json.dump(schema, sys.stdout)',
].join('\n');

export interface OcsfValidator {
  /** The schema's $id (names the version and the profile). */
  id: string;
  /** The problems of one event (`<path> <keyword> <message>`), none when it is valid. */
  problems(event: unknown): string[];
}

/** The validator, or undefined when the venv is not provisioned (the caller skips with missingToolNotice). */
export function ocsfValidator(version: string): OcsfValidator | undefined {
  const python = findTool(TOOLS.ocsfJsonSchema);
  if (!python) return undefined;
  const generated = spawnSync(python, ['-c', GENERATE, version], { encoding: 'utf8', timeout: 60_000 });
  if (generated.status !== 0) throw new Error(`ocsf-json-schema failed: ${generated.stderr}`);
  const schema = JSON.parse(generated.stdout);
  // Default strict mode: strictRequired would reject the generator's anyOf-of-required; union types are json_t.
  // ajv is CommonJS: its class is both module.exports and .default; .default is what TypeScript sees.
  const validate = new ajv2020.default({ allErrors: true, allowUnionTypes: true }).compile(schema);
  return {
    id: String(schema.$id),
    problems(event) {
      if (validate(event)) return [];
      // The message only: an ip_t failure would otherwise print its 1.6 KB pattern.
      return (validate.errors ?? []).map(
        (e) =>
          `${e.instancePath || '/'} ${e.keyword} ${e.keyword === 'pattern' ? "does not match OCSF's pattern" : e.message}`,
      );
    },
  };
}

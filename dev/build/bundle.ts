/**
 * Builds the function exactly as `sam build` does: the esbuild installed in authenticated/ (the version
 * the lock file pins), run from the CodeUri with the template's BuildProperties mapped to the same flags
 * the SAM esbuild builder passes (`--bundle --platform=node --format … --target … --minify …`).
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, extname, join } from 'node:path';
import type { BuildOptions } from 'esbuild';
import type { FunctionSettings } from './template.ts';

type BuildProperties = Record<string, unknown>;

const asList = (value: unknown): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value.map(String) : String(value).split(',');

/** The esbuild options SAM derives from BuildProperties (aws-lambda-builders' esbuild workflow). */
export function esbuildOptionsFor(
  properties: BuildProperties,
  codeUri: string,
  outdir: string,
): BuildOptions {
  const known = new Set([
    'EntryPoints',
    'Format',
    'OutExtension',
    'Target',
    'Minify',
    'Sourcemap',
    'MainFields',
    'External',
    'Banner',
    'UseNpmCi',
  ]);
  const unknown = Object.keys(properties).filter((key) => !known.has(key));
  if (unknown.length > 0)
    throw new Error(`local build does not mirror BuildProperties ${unknown.join(', ')} yet`);

  const outExtension = Object.fromEntries(
    asList(properties.OutExtension).map((pair) => pair.split('=') as [string, string]),
  );
  const banner = properties.Banner === undefined ? undefined : String(properties.Banner);
  return {
    absWorkingDir: codeUri,
    entryPoints: asList(properties.EntryPoints),
    bundle: true,
    platform: 'node',
    outdir,
    format: (properties.Format as BuildOptions['format']) ?? 'cjs',
    outExtension,
    target: String(properties.Target ?? 'es2020'),
    minify: properties.Minify !== false,
    sourcemap: properties.Sourcemap === true,
    mainFields: properties.MainFields === undefined ? undefined : asList(properties.MainFields),
    external: asList(properties.External),
    banner: banner ? { js: banner.replace(/^js=/, '') } : undefined,
    logLevel: 'silent',
  };
}

/** Bundles the function into `outdir`; returns the path of the handler module. */
export async function buildFunctionBundle(settings: FunctionSettings, outdir: string): Promise<string> {
  mkdirSync(outdir, { recursive: true });
  // The esbuild of the function package, not the root's: same version sam build uses.
  const require = createRequire(join(settings.codeUri, 'package.json'));
  const esbuild = require('esbuild') as typeof import('esbuild');
  const options = esbuildOptionsFor(settings.buildProperties, settings.codeUri, outdir);
  await esbuild.build(options);
  return handlerModulePath(settings, outdir);
}

export function handlerModulePath(settings: FunctionSettings, dir: string): string {
  const entry = asList(settings.buildProperties.EntryPoints).find(
    (e) => basename(e, extname(e)) === settings.handlerFile,
  );
  if (!entry) throw new Error(`no entry point builds ${settings.handlerFile} (Handler in template.yaml)`);
  const out = Object.fromEntries(asList(settings.buildProperties.OutExtension).map((p) => p.split('=')));
  return join(dir, `${settings.handlerFile}${out['.js'] ?? '.js'}`);
}

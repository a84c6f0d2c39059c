/**
 * The pack's manifest: the SHA-256 of every file, who made the pack with which version of the tool, and with
 * which parameters. `verify` rechecks a pack against it and names each changed, missing or extra file.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Reason } from '../core/reason.ts';

export const MANIFEST = 'manifest.json';

export interface Manifest {
  tool: { name: string; version: string; gitCommit: string | null };
  generatedAt: string;
  parameters: Record<string, unknown>;
  identity: { arn: string; account: string } | { unknown: Reason };
  files: { name: string; sha256: string; bytes: number }[];
}

export async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The package's name and version, and the git commit of the checkout when there is one (and it is clean). */
export function toolVersion(projectRoot: string): Manifest['tool'] {
  const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  let gitCommit: string | null = null;
  try {
    const git = (args: string[]) =>
      execFileSync('git', ['-C', projectRoot, ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    gitCommit = git(['rev-parse', 'HEAD']);
    // Uncommitted changes to tracked files mean the code that ran is not that commit: say so.
    if (git(['status', '--porcelain', '--untracked-files=no']) !== '') gitCommit += '+uncommitted';
  } catch {
    // not a git checkout (an npm pack or a copied folder): the package version alone identifies it
  }
  return { name: pkg.name, version: pkg.version, gitCommit };
}

/** Hashes every file of `folder` except the manifest itself, in name order. */
export async function fileEntries(folder: string): Promise<Manifest['files']> {
  const names = readdirSync(folder)
    .filter((name) => name !== MANIFEST)
    .sort();
  const entries: Manifest['files'] = [];
  for (const name of names) {
    const path = join(folder, name);
    entries.push({ name, sha256: await sha256Of(path), bytes: statSync(path).size });
  }
  return entries;
}

export interface Verification {
  intact: boolean;
  changed: string[];
  missing: string[];
  extra: string[];
}

/** Rechecks every file the manifest lists, and lists the files it does not. */
export async function verifyPack(folder: string): Promise<Verification> {
  const manifest = JSON.parse(readFileSync(join(folder, MANIFEST), 'utf8')) as Manifest;
  if (!Array.isArray(manifest.files)) throw new Error(`${MANIFEST} lists no files`);
  const present = new Set(readdirSync(folder).filter((name) => name !== MANIFEST));
  const changed: string[] = [];
  const missing: string[] = [];
  for (const file of manifest.files) {
    if (!present.delete(file.name)) {
      missing.push(file.name);
      continue;
    }
    const path = join(folder, file.name);
    if (!statSync(path).isFile() || (await sha256Of(path)) !== file.sha256) changed.push(file.name);
  }
  const extra = [...present].sort();
  return { intact: changed.length + missing.length + extra.length === 0, changed, missing, extra };
}

/**
 * The function is built from authenticated/package-lock.json (sam build runs `npm ci` there), while the
 * tests' own SDK clients come from the root lock. Both must pin the same DynamoDB SDK, and the function's
 * dependencies must be exact versions, so what is tested is what is deployed.
 *
 * npm 11 asks each project to decide, in package.json's `allowScripts`, which dependencies may run install
 * scripts (today it runs them and warns about every undecided one; a later release blocks them). Every package
 * with an install script in a lock file is decided, so `npm ci` prints no warning, and no decision outlives its
 * package. The decisions (docs/tests-and-ci.md, "Install scripts"): esbuild yes (its postinstall checks the
 * platform binary and puts it in place of the JavaScript launcher), classic-level yes (dynalite's LevelDB:
 * node-gyp-build picks the prebuilt binary, or compiles one where none fits), aws-sdk no (cognito-local's v2
 * SDK: its postinstall only prints a maintenance-mode banner).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../../../dev/build/template.ts';

const read = (path: string) => JSON.parse(readFileSync(join(PROJECT_ROOT, path), 'utf8'));
const locked = (lock: any, name: string) =>
  lock.packages[`node_modules/${name}`]?.version as string | undefined;

describe('lock files', () => {
  const fnPackage = read('authenticated/package.json');
  const fnLock = read('authenticated/package-lock.json');
  const rootLock = read('package-lock.json');

  it('the function pins exact versions, and its lock file matches them', () => {
    for (const [name, range] of Object.entries({ ...fnPackage.dependencies, ...fnPackage.devDependencies })) {
      assert.match(String(range), /^\d+\.\d+\.\d+$/, `${name} is pinned exactly`);
      assert.equal(locked(fnLock, name), range, `${name} in authenticated/package-lock.json`);
    }
  });

  for (const folder of ['.', 'authenticated']) {
    it(`${folder}: every package with an install script has an allowScripts decision, and only those`, () => {
      const pkg = read(join(folder, 'package.json'));
      const lock = read(join(folder, 'package-lock.json'));
      const withScripts = Object.entries(lock.packages as Record<string, { hasInstallScript?: boolean }>)
        .filter(([path, entry]) => path !== '' && entry.hasInstallScript)
        .map(([path]) => path.replace(/^.*node_modules\//, ''));
      assert.ok(withScripts.length > 0, 'esbuild has one at least');
      const decided = Object.keys(pkg.allowScripts ?? {}).map((key) => key.replace(/(.)@.*$/, '$1'));
      assert.deepEqual([...new Set(decided)].sort(), [...new Set(withScripts)].sort());
      for (const value of Object.values(pkg.allowScripts)) assert.equal(typeof value, 'boolean');
    });
  }

  it('the tests use the same DynamoDB and S3 SDK, Parquet writer and esbuild-built TypeScript as the function', () => {
    for (const name of [
      '@aws-sdk/client-dynamodb',
      '@aws-sdk/lib-dynamodb',
      '@aws-sdk/util-dynamodb',
      '@aws-sdk/client-s3',
      'hyparquet-writer',
      'typescript',
      'esbuild',
    ]) {
      assert.equal(locked(rootLock, name), locked(fnLock, name), name);
    }
  });
});

/**
 * The function is built from authenticated/package-lock.json (sam build runs `npm ci` there), while the
 * tests' own SDK clients come from the root lock. Both must pin the same DynamoDB SDK, and the function's
 * dependencies must be exact versions, so what is tested is what is deployed.
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

/**
 * What `npm test` does about a missing system tool where it cannot install one: nothing, and one sentence
 * naming the exact copy that is missing and the Debian package that provides it (the skip notice quotes it).
 * The install itself is proven by a fresh machine's `npm test` (/usr/bin/aws absent → installed, the AWS CLI
 * recipe runs); it is never run from here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AWS_CLI_RECIPE_TOOLS, ensureDebianTools, missingTools } from '../../../../dev/build/debian-tools.ts';

const nowhere = {
  command: 'login-history-no-such-tool',
  path: '/nonexistent/bin/aws',
  debianPackage: 'awscli',
};

describe('Debian tools for the tests', () => {
  it('takes only the exact copy it names: a different aws on PATH does not count', () => {
    assert.deepEqual(missingTools([nowhere]), [nowhere]);
    assert.deepEqual(missingTools([{ command: 'sh', debianPackage: 'dash' }]), []);
    assert.deepEqual(
      AWS_CLI_RECIPE_TOOLS.map((t) => [t.path, t.debianPackage]),
      [
        ['/usr/bin/aws', 'awscli'],
        ['/usr/bin/jq', 'jq'],
      ],
    );
  });

  it('installs nothing and says nothing when every tool is there', () => {
    const progress: string[] = [];
    assert.equal(
      ensureDebianTools([{ command: 'sh', debianPackage: 'dash' }], 'a test', (l) => progress.push(l)),
      undefined,
    );
    assert.deepEqual(progress, []);
  });

  it('without root: installs nothing and names what is missing and the package to install', (t) => {
    // process.getuid is optional in the typings (it does not exist on Windows).
    t.mock.method(process as { getuid(): number }, 'getuid', () => 1000);
    const progress: string[] = [];
    const jq = { command: 'login-history-no-jq', path: '/nonexistent/bin/jq', debianPackage: 'jq' };
    assert.equal(
      ensureDebianTools([nowhere, jq, { command: 'sh', debianPackage: 'dash' }], 'a test', (l) =>
        progress.push(l),
      ),
      '/nonexistent/bin/aws, /nonexistent/bin/jq not installed and this is not root (Debian: apt-get install awscli jq)',
    );
    assert.deepEqual(progress, [], 'no install was attempted');
  });
});

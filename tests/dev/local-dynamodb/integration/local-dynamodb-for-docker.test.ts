/**
 * `npm run local-dynamodb -- start --for-docker` refuses clearly, and starts nothing, when it cannot tell where
 * containers reach this machine; the sam local block of docs/tests-and-ci.md (tests/dev/docker/sam-local/readme-recipe.test.ts)
 * proves the address it finds on real engines.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { entryOf } from '../../../../dev/build/commands.ts';
import { PROJECT_ROOT } from '../../../../dev/build/template.ts';

// A home of its own: the sam local recipe test may run a local DynamoDB from the project's .local-stack/
// at the same time, and "nothing started" must be this test's own finding.
const HOME = mkdtempSync(join(tmpdir(), 'local-dynamodb-for-docker-'));
const STATE_FILE = join(HOME, 'local-dynamodb.json');
after(() => rmSync(HOME, { recursive: true, force: true }));

function localDynamodb(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', entryOf('local-dynamodb'), ...args], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: { ...process.env, LOGIN_HISTORY_LOCAL_STACK_DIR: HOME, ...env },
    timeout: 60_000,
  });
}

describe('local-dynamodb start --for-docker', () => {
  it('an engine that does not answer: exit 1 naming the engine problem, nothing started', () => {
    const r = localDynamodb(['start', '--for-docker', '--port', '8000'], {
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(
      r.stderr,
      /^error: cannot tell where Docker containers reach this machine: (docker info: Cannot connect to the Docker daemon at unix:\/\/\/nonexistent\/docker\.sock|the docker command is not installed)/,
    );
    assert.equal(r.stdout, '');
    assert.equal(existsSync(STATE_FILE), false);
  });

  it('with --host as well: a usage error (exit 2), since both say where to listen', () => {
    const r = localDynamodb(['start', '--for-docker', '--host', '127.0.0.1']);
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /^error: --host and --for-docker both say where to listen: give one\nRun "npm run local-dynamodb -- --help" for the usage\.\n$/,
    );
    assert.equal(existsSync(STATE_FILE), false);
  });
});

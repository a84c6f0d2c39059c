/** Where Docker cannot be had, the reason is specific: the engine named, or what is missing. */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { DOCKER_ENV, startDockerEngine } from '../../../../dev/docker/docker-engine.ts';
import { dockerForTests } from '../../../helpers/docker.ts';

describe('Docker for the sam local tests', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of Object.values(DOCKER_ENV)) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('names the DOCKER_HOST that does not answer, and starts nothing in its place', async () => {
    process.env.DOCKER_HOST = 'unix:///nonexistent/docker.sock';
    await assert.rejects(startDockerEngine(), {
      message: 'no Docker engine answers at DOCKER_HOST=unix:///nonexistent/docker.sock',
    });
  });

  it('passes on the reason npm test found, so every sam local test skips quoting it', async () => {
    process.env[DOCKER_ENV.problem] = 'Docker is not installed and this is not root';
    assert.deepEqual(await dockerForTests(), { problem: 'Docker is not installed and this is not root' });
  });
});

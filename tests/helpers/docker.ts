/**
 * Docker for the SAM emulator tests: the engine and stand-in Lambda image `npm test` prepared for the whole run
 * (it passes them in DOCKER_ENV), or, when a file runs on its own, an engine and image of its own. Where
 * Docker cannot be had, the tests skip quoting why (REQUIRE_TOOLCHAIN=1 makes that a failure).
 */
import { type DockerEngine, startDockerEngine } from '../../scripts/local-stack/docker-engine.ts';
import { buildLambdaImage } from '../../scripts/local-stack/lambda-image.ts';

/** Set by `npm test` for the test processes. */
export const DOCKER_ENV = {
  host: 'DOCKER_HOST',
  bridge: 'LOGIN_HISTORY_DOCKER_BRIDGE',
  image: 'LOGIN_HISTORY_LAMBDA_IMAGE',
  problem: 'LOGIN_HISTORY_DOCKER_PROBLEM',
} as const;

export type DockerForTests = { engine: DockerEngine; image: string } | { problem: string };

export async function dockerForTests(): Promise<DockerForTests> {
  const problem = process.env[DOCKER_ENV.problem];
  if (problem) return { problem };
  const host = process.env[DOCKER_ENV.host];
  const bridgeAddress = process.env[DOCKER_ENV.bridge];
  const image = process.env[DOCKER_ENV.image];
  if (host && bridgeAddress && image) {
    return { engine: { host, bridgeAddress, privateEngine: false, stop: async () => undefined }, image };
  }
  let engine: DockerEngine | undefined;
  try {
    engine = await startDockerEngine();
    return { engine, image: await buildLambdaImage(engine.host) };
  } catch (error) {
    await engine?.stop();
    return { problem: (error as Error).message };
  }
}

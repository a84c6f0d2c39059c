/**
 * Docker for the SAM emulator tests: the engine and stand-in Lambda image `npm test` prepared for the whole
 * run (in the variables DOCKER_ENV names), or, when a file runs on its own, an engine and image of its own.
 * Where Docker cannot be had, the tests skip quoting why (REQUIRE_TOOLCHAIN=1 makes that a failure).
 */
import { DOCKER_ENV, type DockerEngine, startDockerEngine } from '../../dev/docker/docker-engine.ts';
import { buildLambdaImage } from '../../dev/docker/lambda-image.ts';

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

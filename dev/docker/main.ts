/**
 * `npm run lambda-image`: builds the stand-in for the Lambda Node.js 22 image in the Docker engine that
 * DOCKER_HOST (or the default socket) names, and prints its tag, for `sam local … --invoke-image <tag>
 * --skip-pull-image` on machines that cannot pull public.ecr.aws/lambda/nodejs:22 (README, "sam local").
 */

import { CommandError, parseOptions, runCli } from '../../scripts/core/cli.ts';
import { buildLambdaImage } from './lambda-image.ts';

const USAGE = `usage: npm run -s lambda-image

Prints the tag of a stand-in for public.ecr.aws/lambda/nodejs:22 built from Debian packages, Node 22 and
aws-lambda-ric (first run about a minute: it compiles the runtime client). With internet access you do not
need it: sam local pulls the real image.`;

await runCli(USAGE, async () => {
  parseOptions(process.argv.slice(2), {});
  const host = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  const progress = process.stderr.isTTY ? (line: string) => console.error(line) : () => undefined;
  try {
    console.log(await buildLambdaImage(host, progress));
  } catch (error) {
    throw new CommandError(
      `could not build the stand-in image in the engine at ${host}: ${(error as Error).message}`,
    );
  }
  return 0;
});

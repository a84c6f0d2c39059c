/**
 * `npm run local-stack -- start|stop`: the whole local stack kept running in the background, so every
 * README command can be tried against it (dev/local-stack/kept-stack.ts; docs/local-stack.md).
 */

import { parseOptions, runCli, UsageError } from '../../scripts/core/cli.ts';
import { serveKeptStack, startKeptStack, stopKeptStack } from './kept-stack.ts';

const USAGE = `usage: npm run local-stack -- start    (in a shell: eval "$(npm run --silent local-stack -- start)")
       npm run local-stack -- stop

start  starts dynalite, cognito-local and the local Lambda endpoint running the built function in the
       background, with the demo's user pool and four users, the trigger attached (the same code as
       npm run attach), and one sign-in of each user but left-the-company@example.com. Prints only
       export lines on stdout (region, local credentials, AWS_ENDPOINT_URL_*, USER_POOL_ID, TABLE_NAME,
       FUNCTION_ARN), progress on stderr. Run again while it runs: prints the same lines.
stop   stops it. The data stays in .local-stack/data/ and is read back by the next start (the same pool
       and users); delete that folder to start afresh. Details: docs/local-stack.md.`;

await runCli(USAGE, async () => {
  const [command, ...rest] = process.argv.slice(2);
  parseOptions(rest, {}); // start and stop take no options (--help is answered by runCli)
  if (command === 'start') return startKeptStack();
  if (command === 'stop') return stopKeptStack();
  if (command === 'serve') {
    await serveKeptStack(); // the background process `start` spawns
    return new Promise<never>(() => undefined);
  }
  throw new UsageError(command ? `unknown command "${command}"` : 'start or stop?');
});

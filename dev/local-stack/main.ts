/**
 * `npm run local-stack -- start|seal|stop`: the whole local stack kept running in the background, so every
 * README command can be tried against it (dev/local-stack/kept-stack.ts; docs/local-stack.md).
 */

import { parseOptions, runCli, UsageError } from '../../scripts/core/cli.ts';
import { sealKeptStack, serveKeptStack, startKeptStack, stopKeptStack } from './kept-stack.ts';

const USAGE = `usage: npm run local-stack -- start    (in a shell: eval "$(npm run --silent local-stack -- start)")
       npm run local-stack -- seal
       npm run local-stack -- stop

start  starts in the background: moto (both tables as template.yaml declares them, with TTL, point-in-time
       recovery, deletion protection, resource policies and streams; the erasure salt in Secrets Manager;
       STS; the digest bucket and signing key in S3 and KMS; the lake bucket in S3), cognito-local, the local
       Lambda endpoint running the built functions, the CloudTrail recorder feeding the auth-events table,
       and the lake: the lake function fed from both tables' streams, the lake rebuilt from the tables at
       each start. The demo's pool and four users, the trigger attached (the same code as npm run attach);
       every start signs each user but left-the-company@example.com in once, makes two failed attempts and
       seals. Prints only export lines on stdout (region, local credentials, AWS_ENDPOINT_URL_*,
       USER_POOL_ID, TABLE_NAME, AUTH_EVENTS_TABLE_NAME, FUNCTION_ARN, SALT_SECRET, DIGEST_BUCKET,
       SIGNING_KEY_ARN, LAKE_BUCKET, LOCAL_STACK_LOG), progress on stderr. Run again while it runs: prints
       the same lines.
seal   seals both tables up to now (it also seals every 15 minutes), so npm run verify-trail checks it all,
       and copies the streams' new records to the lake, so the lake holds every record the tables do.
stop   stops it. The data stays in .local-stack/data/ and is read back by the next start (the same pool,
       users and records); delete that folder to start afresh. Details: docs/local-stack.md.`;

await runCli(USAGE, async () => {
  const [command, ...rest] = process.argv.slice(2);
  parseOptions(rest, {}); // the commands take no options (--help is answered by runCli)
  if (command === 'start') return startKeptStack();
  if (command === 'seal') return sealKeptStack();
  if (command === 'stop') return stopKeptStack();
  if (command === 'serve') {
    await serveKeptStack(); // the background process `start` spawns
    return new Promise<never>(() => undefined);
  }
  throw new UsageError(command ? `unknown command "${command}"` : 'start, seal or stop?');
});

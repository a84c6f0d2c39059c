/**
 * `npm run demo`: the whole product offline in one command. Starts the local stack, creates a user pool with
 * realistic settings and four users (one with TOTP MFA, one who never signs in), attaches the trigger with
 * `npm run attach`, signs three of them in (one twice), prints the login history and the dormant accounts
 * with `npm run history`, stops everything, and says how to keep a stack to try the commands
 * (`npm run local-stack -- start`, which builds its pool and users with the same code).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { parseOptions, runCli, UsageError } from '../../scripts/core/cli.ts';
import { entryOf } from '../build/commands.ts';
import { PROJECT_ROOT } from '../build/template.ts';
import { createDemoPool, DEMO_USERS_DESCRIPTION } from '../local-stack/demo-pool.ts';
import { type LocalStack, startLocalStack, useLocalStack } from '../local-stack/local-stack.ts';
import { failedSignIn, signIn } from '../local-stack/user-pool-fixtures.ts';
import { demoAuditPack } from './audit-pack-demo.ts';

const USAGE = `usage: npm run demo [-- --show-function-logs]

  --show-function-logs  print the function's log lines as they happen, at DEBUG: one line per recorded
                        sign-in (identifiers only: sub, pool, app client, request id)

To keep a local stack and try the commands yourself: npm run local-stack -- start (docs/local-stack.md).`;

const KEEP_A_STACK = `To keep a local stack with the demo's pool and users and try every command yourself:

    eval "$(npm run --silent local-stack -- start)"
    npm run history -- --date "$(date -u +%F)" --table-name "$TABLE_NAME"
    npm run history -- --inactive-since 90d --user-pool-id "$USER_POOL_ID" --table-name "$TABLE_NAME"
    npm run local-stack -- stop

(docs/local-stack.md: what runs, where its data lives, how to stop it)`;

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
const step = (text: string) => console.log(`\n▶ ${text}  [${elapsed()}]`);

let stack: LocalStack | undefined;
async function shutdown(code: number): Promise<never> {
  const running = stack;
  stack = undefined;
  await running?.stop();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(130));
process.on('SIGTERM', () => void shutdown(143));

/** Runs one of our npm scripts as a user would, against the local stack; its output is shown indented. */
function runScript(script: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(PROJECT_ROOT, entryOf(script)), ...args],
      { cwd: PROJECT_ROOT, env: { ...process.env, ...stack?.clientEnv, NODE_NO_WARNINGS: '1' } },
      (error, stdout, stderr) => {
        const text = `${stdout}${stderr}`.trimEnd();
        if (text) console.log(text.replace(/^/gm, '    '));
        if (error) reject(new Error(`${script} ${args.join(' ')} exited with ${error.code}`));
        else resolve();
      },
    );
  });
}

// cognito-local bundles the AWS SDK v2, which announces its end of support at load.
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';

await runCli(USAGE, async () => {
  const values = parseOptions(process.argv.slice(2), {
    'show-function-logs': { type: 'boolean', default: false },
    'keep-data': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values['keep-data']) {
    // It kept files nothing read back, and a rerun added a second pool to them without saying so.
    throw new UsageError(
      '--keep-data is gone: `npm run local-stack -- start` keeps a stack running, with its data kept in ' +
        '.local-stack/ and read back on the next start (docs/local-stack.md)',
    );
  }
  const showLogs = values['show-function-logs'];

  try {
    step(
      'Starting the local stack: dynalite, the function built like `sam build`, Lambda endpoint, cognito-local',
    );
    // The function logs a recorded sign-in at DEBUG (no log ingestion per sign-in in production); showing its
    // logs runs it at DEBUG, as setting its ApplicationLogLevel would. The stack records auth events too.
    stack = await startLocalStack({
      echoLogs: showLogs,
      functionLogLevel: showLogs ? 'DEBUG' : undefined,
      authEvents: true,
    });
    useLocalStack(stack);
    console.log(
      `    DynamoDB ${stack.dynamoEndpoint} (table ${stack.tableName}), Cognito ${stack.cognitoEndpoint}`,
    );
    console.log(`    Lambda ${stack.lambda.endpoint} running ${stack.modulePath}`);

    step(
      'Creating a user pool with production-like settings, an app client, four users, the invoke permission',
    );
    const cognito = new CognitoIdentityProviderClient({});
    const pool = await createDemoPool(cognito, `demo-users-${Date.now()}`);
    stack.grantInvoke(pool.poolArn); // what `sam deploy` does with CognitoUserPoolArn=<pool ARN>
    stack.authEvents?.recordPool(pool.poolArn, [pool.clientId]); // … and AuthEvents=enabled
    console.log(`    pool ${pool.poolId}, app client ${pool.clientId}`);
    console.log(DEMO_USERS_DESCRIPTION.replace(/^/gm, '    '));

    step('Attaching the trigger: npm run attach -- --user-pool-id … --function-arn …');
    await runScript('attach', [
      '--user-pool-id',
      pool.poolId,
      '--function-arn',
      stack.functionArn,
      '--backup-file',
      join(stack.dataDir, `user-pool-${pool.poolId}.backup.json`),
    ]);

    step(
      'Signing in (InitiateAuth USER_PASSWORD_AUTH; RespondToAuthChallenge SOFTWARE_TOKEN_MFA for the MFA user)',
    );
    for (const user of [pool.admin, pool.kiosk, pool.mfa, pool.admin]) {
      const tokens = await signIn(cognito, pool.clientId, user);
      console.log(
        `    ${user.username.padEnd(26)} signed in, tokens received: ${tokens.IdToken ? 'yes' : 'no'}`,
      );
    }
    const today = new Date().toISOString().slice(0, 10);
    step(
      'Failed attempts, recorded from CloudTrail (the local recorder stands in for it): a wrong password, a wrong MFA code',
    );
    for (const [user, mistake] of [
      [pool.admin, 'wrong password'],
      [pool.mfa, 'wrong MFA code'],
    ] as const) {
      const refusal = await failedSignIn(cognito, pool.clientId, user, mistake);
      console.log(`    ${user.username.padEnd(26)} ${mistake}: refused (${refusal})`);
    }
    cognito.destroy();
    await stack.authEvents?.recorder.drain(); // EventBridge delivers asynchronously
    const authEventsTable = stack.authEvents?.tableName ?? '';
    step(
      `Every attempt of ${today}, with its source IP: npm run history -- --attempts --from ${today} --to ${today} --auth-events-table-name ${authEventsTable}`,
    );
    await runScript('history', [
      '--attempts',
      '--from',
      today,
      '--to',
      today,
      '--auth-events-table-name',
      authEventsTable,
    ]);

    step(`Login history of ${today}: npm run history -- --date ${today} --table-name ${stack.tableName}`);
    await runScript('history', ['--date', today, '--table-name', stack.tableName]);

    step(
      'One user, sign-ins and failed attempts: npm run history -- --username admin@example.com --user-pool-id … --auth-events-table-name …',
    );
    await runScript('history', [
      '--username',
      'admin@example.com',
      '--user-pool-id',
      pool.poolId,
      '--table-name',
      stack.tableName,
      '--auth-events-table-name',
      authEventsTable,
    ]);

    step(
      'Dormant accounts (PCI DSS 8.2.6): npm run history -- --inactive-since 90d --user-pool-id … --table-name …',
    );
    await runScript('history', [
      '--inactive-since',
      '90d',
      '--user-pool-id',
      pool.poolId,
      '--table-name',
      stack.tableName,
    ]);

    step("The auditor's evidence pack of today: npm run audit-pack -- --from … --to … --out …");
    const report = await demoAuditPack(runScript, {
      userPoolId: pool.poolId,
      tableName: stack.tableName,
      authEventsTableName: stack.authEvents?.tableName,
    });

    step('Stopping the local stack');
    await stack.stop();
    stack = undefined;
    console.log(
      `
Demo finished in ${elapsed()}. Its stack is gone, and with it what the commands above read.`,
    );
    console.log(`Audit report: ${report} (open it in a browser; it works offline)
`);
    console.log(KEEP_A_STACK);
    return 0;
  } catch (error) {
    console.error(`\nDemo failed: ${(error as Error).message}`);
    await stack?.stop();
    stack = undefined;
    return 1;
  }
});

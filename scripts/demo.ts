/**
 * `npm run demo`: the whole product offline in one command. Starts the local stack, creates a user pool
 * with realistic settings and three users, attaches the trigger with `npm run attach`, signs the users in
 * (one with TOTP MFA), prints the login history with `npm run history`, and stops everything.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { PROJECT_ROOT } from './build/template.ts';
import { type LocalStack, startLocalStack } from './local-stack/local-stack.ts';
import {
  createPoolWithClient,
  createUser,
  enableTotpMfa,
  realisticPoolInput,
  signIn,
} from './local-stack/user-pool-fixtures.ts';
import { demoAuditPack } from './ops/audit-pack-demo.ts';
import { parseOptions, runCli } from './ops/cli.ts';

const USAGE = `usage: npm run demo [-- --keep-data] [-- --show-function-logs]

  --keep-data           keep DynamoDB and Cognito data in .local-stack/ between runs
  --show-function-logs  print the function's log lines as they happen`;

const PASSWORD = 'Demo-Password-2026';
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
      ['--import', 'tsx', join(PROJECT_ROOT, 'scripts', script), ...args],
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
    'keep-data': { type: 'boolean', default: false },
    'show-function-logs': { type: 'boolean', default: false },
  });
  const dataDir = values['keep-data'] ? join(PROJECT_ROOT, '.local-stack') : undefined;

  try {
    step(
      'Starting the local stack: dynalite, the function built like `sam build`, Lambda endpoint, cognito-local',
    );
    stack = await startLocalStack({ dataDir, echoLogs: values['show-function-logs'] });
    Object.assign(process.env, stack.clientEnv);
    console.log(
      `    DynamoDB ${stack.dynamoEndpoint} (table ${stack.tableName}), Cognito ${stack.cognitoEndpoint}`,
    );
    console.log(`    Lambda ${stack.lambda.endpoint} running ${stack.modulePath}`);

    step('Creating a user pool with production-like settings, an app client, and the invoke permission');
    const cognito = new CognitoIdentityProviderClient({});
    const pool = await createPoolWithClient(cognito, realisticPoolInput(`demo-users-${Date.now()}`));
    stack.grantInvoke(pool.poolArn); // what `sam deploy` does with CognitoUserPoolArn=<pool ARN>
    console.log(`    pool ${pool.poolId}, app client ${pool.clientId}`);

    step('Creating four users');
    const admin = await createUser(cognito, pool.poolId, 'admin@example.com', PASSWORD, {
      email: 'admin@example.com',
    });
    const kiosk = await createUser(cognito, pool.poolId, 'kiosk-07', PASSWORD);
    const mfa = await createUser(cognito, pool.poolId, 'demo-with-mfa@example.com', PASSWORD, {
      email: 'demo-with-mfa@example.com',
    });
    await enableTotpMfa(cognito, pool.clientId, mfa);
    await createUser(cognito, pool.poolId, 'left-the-company@example.com', PASSWORD, {
      email: 'left-the-company@example.com',
    });
    console.log(
      '    admin@example.com (email), kiosk-07 (no email attribute), demo-with-mfa@example.com (TOTP MFA),\n' +
        '    left-the-company@example.com (never signs in)',
    );

    step('Attaching the trigger: npm run attach -- --user-pool-id … --function-arn …');
    await runScript('attach.ts', [
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
    for (const user of [admin, kiosk, mfa, admin]) {
      const tokens = await signIn(cognito, pool.clientId, user);
      console.log(
        `    ${user.username.padEnd(26)} signed in, tokens received: ${tokens.IdToken ? 'yes' : 'no'}`,
      );
    }
    cognito.destroy();

    const today = new Date().toISOString().slice(0, 10);
    step(`Login history of ${today}: npm run history -- --date ${today} --table-name ${stack.tableName}`);
    await runScript('history.ts', ['--date', today, '--table-name', stack.tableName]);

    step('Login history of one user: npm run history -- --username admin@example.com --user-pool-id …');
    await runScript('history.ts', [
      '--username',
      'admin@example.com',
      '--user-pool-id',
      pool.poolId,
      '--table-name',
      stack.tableName,
    ]);

    step(
      'Dormant accounts (PCI DSS 8.2.6): npm run history -- --inactive-since 90d --user-pool-id … --table-name …',
    );
    await runScript('history.ts', [
      '--inactive-since',
      '90d',
      '--user-pool-id',
      pool.poolId,
      '--table-name',
      stack.tableName,
    ]);

    step("The auditor's evidence pack of today: npm run audit-pack -- --from … --to … --out …");
    const report = await demoAuditPack(runScript, { userPoolId: pool.poolId, tableName: stack.tableName });

    step('Stopping the local stack');
    await stack.stop();
    stack = undefined;
    console.log(`\nDemo finished in ${elapsed()}.${dataDir ? ` Data kept in ${dataDir}.` : ''}`);
    console.log(`Audit report: ${report} (open it in a browser; it works offline)`);
    return 0;
  } catch (error) {
    console.error(`\nDemo failed: ${(error as Error).message}`);
    await stack?.stop();
    stack = undefined;
    return 1;
  }
});

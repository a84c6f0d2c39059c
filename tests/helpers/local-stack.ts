import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type LoginHistoryItem, WRITE_FAILED } from '#contract';
import {
  type LocalStack,
  type LocalStackOptions,
  startLocalStack,
} from '../../dev/local-stack/local-stack.ts';
import {
  createPoolWithClient,
  createUser,
  type DemoUser,
  realisticPoolInput,
} from '../../dev/local-stack/user-pool-fixtures.ts';
import { parseLogLine } from '../../scripts/replay/failure-records.ts';
import {
  attachPostAuthenticationTrigger,
  createClients,
} from '../../scripts/user-pool/trigger-attachment.ts';

export type LocalPool = Awaited<ReturnType<typeof createPoolWithClient>>;

/**
 * A local stack started with `options`, this process's AWS environment pointed at it, a Cognito client, and a
 * realistic user pool named `poolName` whose sign-ins may invoke the stack's function (with AuthEvents, whose
 * events the CloudTrail recorder delivers to the auth-events function). The caller creates the users, attaches
 * the trigger (attachLocally) and destroys the client and stops the stack in `after`; if the pool cannot be
 * made, the stack is stopped here.
 */
export async function startStackWithPool(
  poolName: string,
  options: LocalStackOptions = {},
): Promise<{ stack: LocalStack; cognito: CognitoIdentityProviderClient; pool: LocalPool }> {
  const stack = await startLocalStack(options);
  Object.assign(process.env, stack.clientEnv);
  const cognito = new CognitoIdentityProviderClient({});
  try {
    const pool = await createPoolWithClient(cognito, realisticPoolInput(poolName));
    stack.grantInvoke(pool.poolArn);
    stack.authEvents?.recordPool(pool.poolArn, [pool.clientId]);
    return { stack, cognito, pool };
  } catch (error) {
    cognito.destroy();
    await stack.stop();
    throw error;
  }
}

export interface StackWithUsers {
  stack: LocalStack;
  cognito: CognitoIdentityProviderClient;
  pool: LocalPool;
  users: (DemoUser & { sub: string })[];
}

/**
 * For the enclosing describe: before its tests, a local stack with a pool (startStackWithPool), `users` users
 * named `userName(i)` (with that name as their e-mail address too when `email`) created one after another, and
 * the trigger attached; after them, the client destroyed and the stack stopped. The fields are set once the
 * `before` has run.
 */
export function useStackWithUsers(setup: {
  poolName: string;
  options?: LocalStackOptions;
  users: number;
  userName: (i: number) => string;
  email?: boolean;
}): StackWithUsers {
  const local = { users: [] as StackWithUsers['users'] } as StackWithUsers;
  before(async () => {
    Object.assign(local, await startStackWithPool(setup.poolName, setup.options));
    for (let i = 0; i < setup.users; i++) {
      const name = setup.userName(i);
      local.users.push(
        await createUser(
          local.cognito,
          local.pool.poolId,
          name,
          'Correct-Horse-42',
          setup.email ? { email: name } : {},
        ),
      );
    }
    await attachLocally(local.stack, local.pool.poolId);
  });
  after(async () => {
    local.cognito?.destroy();
    await local.stack?.stop();
  });
  return local;
}

/** Every item of `table`, page by page. */
export async function scanAll(
  doc: DynamoDBDocumentClient,
  table: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Attaches the stack's function to a local pool with the same code as `npm run attach`, quietly. */
export function attachLocally(stack: LocalStack, userPoolId: string) {
  return attachPostAuthenticationTrigger(createClients('local'), {
    userPoolId,
    region: 'local',
    functionArn: stack.functionArn,
    dryRun: false,
    replace: false,
    skipPermissionCheck: false,
    backupFile: join(stack.dataDir, `${userPoolId}-${Date.now()}.backup.json`),
    out: () => undefined,
  });
}

/**
 * The items of the failure records the function logged, read with the same parser `npm run replay` uses;
 * a failure line that parser cannot read fails the test.
 */
export function failureItems(stack: LocalStack): LoginHistoryItem[] {
  return stack.lambda.logs
    .filter((line) => line.text.includes(WRITE_FAILED))
    .map((line) => {
      const parsed = parseLogLine(line.text);
      assert.equal(parsed.kind, 'record', `unreadable failure record: ${line.text}`);
      return (parsed as { item: LoginHistoryItem }).item;
    });
}

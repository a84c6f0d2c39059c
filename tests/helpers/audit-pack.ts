/**
 * A login history worth an audit pack, on the local stack: a pool whose accounts were created 200 days ago,
 * real sign-ins today (through cognito-local and the trigger), earlier sign-ins over the past week with other
 * app clients and a federated provider (written as the function writes them), and authentication events
 * (successes and failures from a few source IPs) in a table of the contract's shape.
 */
import { randomUUID } from 'node:crypto';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LoginHistoryItem } from '#contract';
import { buildHistoryItem } from '../../authenticated/src/history-item.ts';
import { type LocalStack, startLocalStack } from '../../dev/local-stack/local-stack.ts';
import {
  createPoolWithClient,
  createUser,
  realisticPoolInput,
  signIn,
} from '../../dev/local-stack/user-pool-fixtures.ts';
import type { AuthEventRecord } from '../../scripts/records/auth-events.ts';
import { authEvent, createAuthEventsTable, putAuthEvents } from './auth-events.ts';
import { type CommandResult, runCommand } from './commands.ts';
import { attachLocally } from './local-stack.ts';
import { putItems } from './tables.ts';

const DAY = 86_400_000;
export const AUTH_EVENTS_TABLE = 'auth-events-local';
export const SHARDS = 2;
const dayAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString().slice(0, 10);

export interface PackFixture {
  stack: LocalStack;
  poolId: string;
  /** The period: the last 7 days, today included. */
  from: string;
  to: string;
  /** Events seeded inside the period (one more lies outside it). */
  authEvents: AuthEventRecord[];
  subs: Record<string, string>;
  stop(): Promise<void>;
}

export async function startPackFixture(): Promise<PackFixture> {
  let clockOffsetMs = 200 * DAY;
  const stack = await startLocalStack({
    parameters: { DayIndexShards: String(SHARDS) },
    cognitoNow: () => new Date(Date.now() - clockOffsetMs),
  });
  try {
    Object.assign(process.env, stack.clientEnv);
    const cognito = new CognitoIdentityProviderClient({});
    const pool = await createPoolWithClient(cognito, realisticPoolInput('audit-pack'));
    stack.grantInvoke(pool.poolArn);
    await attachLocally(stack, pool.poolId);
    const password = 'Correct-Horse-42';
    const alice = await createUser(cognito, pool.poolId, 'alice', password, { email: 'alice@example.com' });
    const bob = await createUser(cognito, pool.poolId, 'bob', password, { email: 'bob@example.com' });
    const carol = await createUser(cognito, pool.poolId, 'carol', password, { email: 'carol@example.com' });
    // A name that must come out of the report as text, not markup.
    const mallory = await createUser(cognito, pool.poolId, '<b>mallory</b>&co', password);
    clockOffsetMs = 0;
    for (const user of [alice, bob, alice, alice]) await signIn(cognito, pool.clientId, user);
    cognito.destroy();

    const ddb = new DynamoDBClient({});
    const doc = DynamoDBDocumentClient.from(ddb);
    const item = (sub: string, userName: string, at: number, clientId: string, provider?: string) => {
      const built = buildHistoryItem(
        {
          triggerSource: 'PostAuthentication_Authentication',
          userPoolId: pool.poolId,
          userName,
          callerContext: { clientId },
          request: {
            userAttributes: {
              sub,
              ...(provider
                ? { identities: JSON.stringify([{ providerName: provider, primary: 'true', userId: 'x' }]) }
                : {}),
            },
          },
        },
        { requestId: randomUUID(), now: at, retentionDays: 365, dayIndexShards: SHARDS },
      );
      if (!built.ok) throw new Error(built.rejection.detail);
      return built.item;
    };
    const noon = (daysAgo: number) => Date.parse(`${dayAgo(daysAgo)}T12:00:00.000Z`);
    const earlier: LoginHistoryItem[] = [
      item(bob.sub, 'bob', noon(2), 'mobile-app'),
      item(bob.sub, 'bob', noon(2) + 60_000, 'mobile-app'),
      item(alice.sub, 'alice', noon(4), 'admin-console', 'Google'),
      item(alice.sub, 'alice', noon(6), pool.clientId),
      // before the period: counts for nothing in the pack, and mallory's only sign-in (so dormant)
      item(mallory.sub, '<b>mallory</b>&co', noon(150), pool.clientId),
    ];
    await putItems(doc, stack.tableName, earlier);

    await createAuthEventsTable(ddb, AUTH_EVENTS_TABLE);
    const at = (daysAgo: number, minute: number) =>
      new Date(Date.parse(`${dayAgo(daysAgo)}T08:00:00.000Z`) + minute * 60_000).toISOString();
    const events: AuthEventRecord[] = [
      ...[0, 1, 2, 3].map((m) =>
        authEvent({ eventTime: at(1, m), sourceIp: '203.0.113.7', userPoolId: pool.poolId }),
      ),
      ...[0, 1].map((m) =>
        authEvent({ eventTime: at(3, m), sourceIp: '198.51.100.2', sub: bob.sub, userPoolId: pool.poolId }),
      ),
      authEvent({ eventTime: at(3, 5), sourceIp: '198.51.100.2', sub: bob.sub, userPoolId: pool.poolId }),
      authEvent({ eventTime: at(0, 1), sourceIp: '192.0.2.10', sub: alice.sub, userPoolId: pool.poolId }),
      ...[0, 1, 2].map((m) =>
        authEvent({
          eventTime: at(0, 10 + m),
          outcome: 'success',
          errorCode: undefined,
          sourceIp: '192.0.2.10',
          sub: alice.sub,
          userPoolId: pool.poolId,
        }),
      ),
    ];
    const outside = authEvent({ eventTime: at(20, 0), sourceIp: '203.0.113.99', userPoolId: pool.poolId });
    await putAuthEvents(doc, AUTH_EVENTS_TABLE, [...events, outside]);
    doc.destroy();

    return {
      stack,
      poolId: pool.poolId,
      from: dayAgo(6),
      to: dayAgo(0),
      authEvents: events,
      subs: { alice: alice.sub, bob: bob.sub, carol: carol.sub, mallory: mallory.sub },
      stop: () => stack.stop(),
    };
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

/**
 * One of our commands (`npm run <command>`) run as a user runs it, against the fixture's local stack (and
 * whatever `env` points elsewhere).
 */
export function runScript(
  stack: LocalStack,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<CommandResult> {
  return runCommand(command, args, { ...process.env, ...stack.clientEnv, ...env, NODE_NO_WARNINGS: '1' });
}

/** The audit-pack options that name a period (the fixture's, unless given), its user pool and sign-in table. */
export function fixtureOptions(
  fixture: PackFixture,
  { from = fixture.from, to = fixture.to }: { from?: string; to?: string } = {},
): string[] {
  return [
    '--from',
    from,
    '--to',
    to,
    '--user-pool-id',
    fixture.poolId,
    '--table-name',
    fixture.stack.tableName,
  ];
}

/** The options that name the sign-in table's day-index shards and the fixture's auth-events table. */
export const SHARDS_AND_AUTH_EVENTS = [
  '--shards',
  String(SHARDS),
  '--auth-events-table-name',
  AUTH_EVENTS_TABLE,
];

/** `npm run audit-pack` over the fixture's period into `out`, `env` set beside the local stack's. */
export function auditPack(
  fixture: PackFixture,
  out: string,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<CommandResult> {
  return runScript(
    fixture.stack,
    'audit-pack',
    [...fixtureOptions(fixture), ...SHARDS_AND_AUTH_EVENTS, '--out', out, ...extra],
    env,
  );
}

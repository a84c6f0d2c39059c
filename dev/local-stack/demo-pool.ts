/**
 * The demo's user pool and its four users, one building block for `npm run demo` and for the stack
 * `npm run local-stack -- start` keeps: admin@example.com (with email), kiosk-07 (no email attribute),
 * demo-with-mfa@example.com (TOTP MFA) and left-the-company@example.com, who never signs in and so shows
 * up in the dormant-account report.
 */
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import {
  createPoolWithClient,
  createUser,
  type DemoUser,
  enableTotpMfa,
  realisticPoolInput,
} from './user-pool-fixtures.ts';

/** A local-only password (cognito-local on loopback); the pool's policy wants 12+ characters, mixed case. */
export const DEMO_PASSWORD = 'Demo-Password-2026';

export type DemoPoolUser = DemoUser & { sub: string };

export interface DemoPool {
  poolId: string;
  poolArn: string;
  clientId: string;
  admin: DemoPoolUser;
  kiosk: DemoPoolUser;
  mfa: DemoPoolUser;
  dormant: DemoPoolUser;
}

export const DEMO_USERS_DESCRIPTION =
  'admin@example.com (email), kiosk-07 (no email attribute), demo-with-mfa@example.com (TOTP MFA),\n' +
  'left-the-company@example.com (never signs in)';

/** The users who sign in (everyone but the dormant one), in the order they do. */
export const activeUsers = (pool: DemoPool): DemoPoolUser[] => [pool.admin, pool.kiosk, pool.mfa];

export async function createDemoPool(
  cognito: CognitoIdentityProviderClient,
  poolName: string,
): Promise<DemoPool> {
  const { poolId, poolArn, clientId } = await createPoolWithClient(cognito, realisticPoolInput(poolName));
  const withEmail = (email: string) => createUser(cognito, poolId, email, DEMO_PASSWORD, { email });
  const admin = await withEmail('admin@example.com');
  const kiosk = await createUser(cognito, poolId, 'kiosk-07', DEMO_PASSWORD);
  const mfa = await withEmail('demo-with-mfa@example.com');
  await enableTotpMfa(cognito, clientId, mfa);
  const dormant = await withEmail('left-the-company@example.com');
  return { poolId, poolArn, clientId, admin, kiosk, mfa, dormant };
}

/**
 * The dormant-account report (PCI DSS 8.2.6, access reviews): every user of the pool whose most recent
 * recorded sign-in is older than the cutoff, or who has none recorded. Users come from ListUsers (every
 * page); each user's latest sign-in is one Query, run with bounded concurrency.
 */
import {
  type CognitoIdentityProviderClient,
  paginateListUsers,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mapBounded } from '../core/generic.ts';
import { lastSignInOf } from './sign-ins.ts';

export interface PoolUser {
  /** Cognito's `Username`, spelled as the history items and the export spell it (`userName`). */
  userName: string;
  sub: string;
  email?: string;
  enabled: boolean;
  userStatus: string;
  createdAt: string;
}

export interface DormantAccount extends PoolUser {
  /** The most recent recorded sign-in, or null when the history holds none. */
  lastSignedInAt: string | null;
}

/** ListUsers' largest page. */
const PAGE_SIZE = 60;

export function toPoolUser(user: UserType): PoolUser {
  const attribute = (name: string) => user.Attributes?.find((a) => a.Name === name)?.Value;
  const email = attribute('email');
  return {
    userName: user.Username ?? '',
    sub: attribute('sub') ?? '',
    ...(email ? { email } : {}),
    enabled: user.Enabled !== false,
    userStatus: user.UserStatus ?? 'UNKNOWN',
    createdAt: (user.UserCreateDate ?? new Date(0)).toISOString(),
  };
}

/** Every user of the pool, to the last page. */
export async function listPoolUsers(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
): Promise<PoolUser[]> {
  const users: PoolUser[] = [];
  for await (const page of paginateListUsers(
    { client: cognito, pageSize: PAGE_SIZE },
    { UserPoolId: userPoolId },
  ))
    users.push(...(page.Users ?? []).map(toPoolUser));
  return users;
}

export interface DormantReportOptions {
  doc: DynamoDBDocumentClient;
  table: string;
  users: PoolUser[];
  /** Sign-ins before this time (epoch ms) do not count as activity. */
  cutoffMs: number;
  concurrency: number;
  /** Review as of this ISO time: later sign-ins are not seen (default: everything recorded). */
  asOfIso?: string;
  onProgress?: (done: number, total: number) => void;
}

/** localeCompare's own collation (ECMA-402: the same as a default Intl.Collator), built once: a million names sort in seconds. */
const collator = new Intl.Collator();

/** The review's order: never-signed-in first, then the longest inactive; ties by user name. */
export const byDormancy = (a: DormantAccount, b: DormantAccount) =>
  collator.compare(a.lastSignedInAt ?? '', b.lastSignedInAt ?? '') ||
  collator.compare(a.userName, b.userName);

/** The dormant users, in the review's order (byDormancy). */
export async function dormantAccounts(options: DormantReportOptions): Promise<DormantAccount[]> {
  const { doc, table, users, cutoffMs, concurrency, asOfIso, onProgress } = options;
  const checked = await mapBounded(
    users,
    concurrency,
    async (user): Promise<DormantAccount> => ({
      ...user,
      lastSignedInAt: user.sub ? ((await lastSignInOf(doc, table, user.sub, asOfIso)) ?? null) : null,
    }),
    onProgress && ((done) => onProgress(done, users.length)),
  );
  return checked
    .filter((u) => u.lastSignedInAt === null || Date.parse(u.lastSignedInAt) < cutoffMs)
    .sort(byDormancy);
}

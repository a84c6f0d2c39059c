/**
 * The dormant-account report (PCI DSS 8.2.6, access reviews): every user of the pool whose most recent
 * recorded sign-in is older than the cutoff, or who has none recorded. Users come from ListUsers (every
 * page); each user's latest sign-in is one Query, run with bounded concurrency.
 */
import {
  type CognitoIdentityProviderClient,
  ListUsersCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { lastSignInOf } from './history-query.ts';

export interface PoolUser {
  username: string;
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
    username: user.Username ?? '',
    sub: attribute('sub') ?? '',
    ...(email ? { email } : {}),
    enabled: user.Enabled !== false,
    userStatus: user.UserStatus ?? 'UNKNOWN',
    createdAt: (user.UserCreateDate ?? new Date(0)).toISOString(),
  };
}

/** Every user of the pool, following PaginationToken to the last page. */
export async function listPoolUsers(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
): Promise<PoolUser[]> {
  const users: PoolUser[] = [];
  let token: string | undefined;
  do {
    const page = await cognito.send(
      new ListUsersCommand({ UserPoolId: userPoolId, Limit: PAGE_SIZE, PaginationToken: token }),
    );
    users.push(...(page.Users ?? []).map(toPoolUser));
    token = page.PaginationToken;
  } while (token);
  return users;
}

/** Runs `work` over `items` with at most `concurrency` calls in flight; results keep the input order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
  onDone?: (done: number) => void,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
      onDone?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
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

/** The dormant users, never-signed-in first, then the longest inactive; ties by user name. */
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
    .sort(
      (a, b) =>
        (a.lastSignedInAt ?? '').localeCompare(b.lastSignedInAt ?? '') ||
        a.username.localeCompare(b.username),
    );
}

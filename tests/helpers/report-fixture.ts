/**
 * Report inputs of any size without a stack: a summary as a pack on AWS would hold it (every protection row
 * read, some unknown with a reason), `dormant` accounts, and the pack's files. For the report's pure tests and
 * for the print tests that need small and large packs (0 … 200 dormant accounts) in both languages.
 */
import type { ReportInput } from '../../scripts/audit-pack/report/report.ts';
import type { PackSummary } from '../../scripts/audit-pack/summary.ts';
import type { DormantAccount } from '../../scripts/records/dormant-accounts.ts';

const DAY_MS = 86_400_000;

export interface ReportFixtureOptions {
  lang: 'en' | 'ja';
  dormant?: number;
  days?: number;
  /** App clients (and identity providers) the sign-ins came through: one draws a chart of a single bar. */
  clients?: number;
  /** Failing source IPs: 0 draws no failure chart. */
  failingIps?: number;
  summary?: Partial<PackSummary>;
}

export function reportInput(options: ReportFixtureOptions): ReportInput {
  const days = options.days ?? 7;
  const toMs = Date.parse('2026-12-06T23:59:59.999Z');
  const fromMs = toMs + 1 - days * DAY_MS;
  const dayList = Array.from({ length: days }, (_, i) =>
    new Date(fromMs + i * DAY_MS).toISOString().slice(0, 10),
  );
  const perDay = Object.fromEntries(dayList.map((d, i) => [d, (i * 7) % 11]));
  const clients = options.clients ?? 3;
  const byClient = Object.fromEntries(
    Array.from({ length: clients }, (_, i) => [
      i === 0 ? '4rp7v7ld4hofrma7ogio9ecgr' : `app-client-${i}`,
      40 - i * 7,
    ]),
  );
  const byProvider: Record<string, number> = clients === 1 ? { COGNITO: 40 } : { COGNITO: 30, Google: 10 };
  const failingIps = options.failingIps ?? 3;
  const dormantCount = options.dormant ?? 3;
  const dormant: DormantAccount[] = Array.from({ length: dormantCount }, (_, i) => ({
    userName: i % 5 === 0 ? `a-rather-long-user-name-from-the-directory-${i}` : `user${i}`,
    sub: `0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f${i % 10}`,
    email: `firstname.lastname.${i}@subsidiary.example.co.jp`,
    enabled: i % 4 !== 1,
    userStatus: 'CONFIRMED',
    createdAt: '2026-05-20T10:00:00.000Z',
    lastSignedInAt: i % 3 === 0 ? null : '2026-07-09T12:00:00.000Z',
  }));
  const summary: PackSummary = {
    generatedAt: '2026-12-07T09:15:00.000Z',
    period: {
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      fromDay: dayList[0] as string,
      toDay: dayList.at(-1) as string,
      days,
      reachesPastGeneration: false,
    },
    userPoolId: 'ap-northeast-1_AbCdEf123',
    table: 'cognito-login-history-LoginHistoryTable-1A2B3C4D5E6F',
    stackName: 'cognito-login-history',
    signIns: {
      signIns: Object.values(perDay).reduce((a, b) => a + b, 0),
      users: 12,
      perDay,
      byClient,
      byProvider,
    },
    authEvents: {
      recorded: true,
      table: 'cognito-login-history-AuthEventsTable-9Z8Y7X',
      events: failingIps > 0 ? 60 : 40,
      successes: 40,
      failures: failingIps > 0 ? 20 : 0,
      sourceIps: failingIps + 1,
      failuresPerDay: Object.fromEntries(dayList.map((d, i) => [d, failingIps > 0 ? i % 3 : 0])),
      failuresWithoutSub: failingIps > 0 ? 4 : 0,
      topFailingSourceIps: Array.from({ length: failingIps }, (_, i) => ({
        sourceIp: `203.0.113.${i + 7}`,
        failures: 9 - i * 2,
      })),
      topFailingUsers: failingIps > 0 ? [{ sub: 'b0b', userName: 'bob', failures: 3 }] : [],
    } as PackSummary['authEvents'],
    dormantAccounts: {
      asOf: new Date(toMs).toISOString(),
      inactiveDays: 90,
      cutoff: new Date(toMs - 90 * DAY_MS).toISOString(),
      users: 40 + dormantCount,
      dormant: dormantCount,
      neverRecorded: dormant.filter((a) => a.lastSignedInAt === null).length,
      disabled: dormant.filter((a) => !a.enabled).length,
    },
    protection: {
      retention: { status: 'enabled', facts: { attribute: 'expiresAt', retentionDays: 365 } },
      pointInTimeRecovery: {
        status: 'enabled',
        facts: { earliestRestorable: '2026-11-07T09:15:00.000Z', recoveryPeriodDays: 35 },
      },
      deletionProtection: { status: 'enabled' },
      appendOnlyPolicy: {
        status: 'enabled',
        facts: { deniedActions: ['dynamodb:DeleteItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'] },
      },
      alarmSubscription: {
        status: 'unknown',
        reason: {
          code: 'aws-error',
          name: 'AccessDeniedException',
          message:
            'User: arn:aws:sts::123456789012:assumed-role/auditor/me is not authorized to perform: SNS:ListSubscriptionsByTopic',
        },
      },
      authEventTrail: {
        status: 'unknown',
        reason: { code: 'trail-unreadable', trail: 'org-trail', cause: { code: 'timeout', seconds: 10 } },
      },
    },
    integrity: {
      recorded: true,
      intervals: days * 96,
      verifiedIntervals: days * 96,
      sealedItems: Object.values(perDay).reduce((a, b) => a + b, 0),
      altered: 0,
      erased: 1,
      expired: 0,
      replayed: 2,
      unexplained: 0,
      unsealedMs: 0,
      intact: true,
    },
    ...options.summary,
  };
  return {
    lang: options.lang,
    summary,
    dormant,
    files: [
      {
        name: 'auth-events.csv',
        sha256: 'acf30961df8425eb156e8ed2685580d44b7cd2761cbff6f72ad63892f17727a6',
        bytes: 2209,
      },
      {
        name: 'dormant-accounts.csv',
        sha256: '4394f9ef369a06de0aa73672ec56cb807e19c36a28b314c36b39373a265daab4',
        bytes: 289 + dormantCount * 120,
      },
      {
        name: 'sign-ins.csv',
        sha256: 'a67205b38d1e7b03efe33fbabdd779f0388066553a151bada9a7071482282413',
        bytes: 1336,
      },
      {
        name: 'summary.json',
        sha256: '65cb89245108f9c6e0394cfa8ca877a7c1043b30883955f5067114050e8eaf96',
        bytes: 3039,
      },
    ],
    tool: { name: 'cognito-login-history', version: '1.0.0', gitCommit: '9cf98ede0632aa' },
    identity: {
      arn: 'arn:aws:sts::123456789012:assumed-role/AuditorRole/jane.doe@example.com',
      account: '123456789012',
    },
  };
}

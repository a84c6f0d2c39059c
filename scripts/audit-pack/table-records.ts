/**
 * The pack's records read from the tables: the period's sign-ins streamed to their CSV (exactly as
 * `npm run history -- --from --to --format csv` writes them) and counted on the way, the authentication
 * events likewise, and the dormant-account review by one Query per user not already proven active. Only the
 * counts, the pool's users and the dormant list are held in memory.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LoginHistoryItem } from '#contract';
import { translateNotFound } from '../core/cli.ts';
import { tapped } from '../core/generic.ts';
import { csvRecord, writeDormantAccounts, writeSignIns, writeText } from '../core/output.ts';
import { AUTH_EVENT_FIELDS, type AuthEventRecord, authEventsOfPeriod } from '../records/auth-events.ts';
import { dormantAccounts, type PoolUser } from '../records/dormant-accounts.ts';
import { signInsBetween } from '../records/sign-ins.ts';
import { finish, type PackRecords, packFile, type RecordsAnswer } from './pack.ts';
import { FILES } from './summary.ts';
import { AuthEventTally, SignInTally } from './tally.ts';

export interface TableRecordsOptions {
  reader: DynamoDBDocumentClient;
  table: string;
  shards: number;
  /** The pool's users (ListUsers), read by the caller. */
  users: PoolUser[];
  concurrency: number;
}

/** The pool's users as the review and the top failing users name them. */
export const userNamesOf = (users: PoolUser[]) => new Map(users.map((u) => [u.sub, u.userName]));

export function tableRecords(options: TableRecordsOptions): PackRecords {
  return async (context) => {
    const { reader, users } = options;
    const { progress } = context;
    // 1. The period's sign-ins, exactly as `npm run history -- --from --to --format csv` writes them.
    const signIns = new SignInTally(context.days);
    let count = 0;
    const signInFile = packFile(context.path(FILES.signIns));
    await writeSignIns(
      tapped(
        signInsBetween(reader, options.table, options.shards, context.from, context.to),
        (item: LoginHistoryItem) => {
          signIns.add(item);
          progress('sign-ins', ++count);
        },
      ),
      'csv',
      signInFile,
    );
    await finish(signInFile);

    // 2. Authentication events (successes and failures, with source IP), when the stack records them.
    let authEvents: RecordsAnswer['authEvents'];
    if ('table' in context.authEvents) {
      const tally = new AuthEventTally(context.days);
      const file = packFile(context.path(FILES.authEvents));
      const write = (text: string) => writeText(file, text);
      await write(csvRecord(AUTH_EVENT_FIELDS));
      let events = 0;
      try {
        for await (const event of authEventsOfPeriod(
          reader,
          context.authEvents.table,
          context.fromMs,
          context.toMs,
        )) {
          tally.add(event);
          await write(csvRecord(AUTH_EVENT_FIELDS.map((f) => String((event as AuthEventRecord)[f] ?? ''))));
          progress('authentication events', ++events);
        }
      } catch (error) {
        throw translateNotFound(
          error,
          `the authentication-events table ${context.authEvents.table}`,
          '--auth-events-table-name / --stack-name',
        );
      }
      await finish(file);
      const totals = tally.totals();
      const names = userNamesOf(users);
      authEvents = {
        ...totals,
        topFailingUsers: totals.topFailingUsers.map((u) => ({
          ...u,
          ...(names.has(u.sub) ? { userName: names.get(u.sub) } : {}),
        })),
      };
    }

    // 3. The dormant-account review as of the end of the period, over the accounts that existed then.
    // A user who signed in between the cutoff and --to is active: the period's export has just proved it,
    // so only the others cost a Query (their latest sign-in may predate the period).
    const existing = users.filter((u) => u.createdAt <= context.asOfIso);
    const cutoffIso = new Date(context.cutoffMs).toISOString();
    const unproven = existing.filter((u) => (signIns.latestOf(u.sub) ?? '') < cutoffIso);
    const dormant = await dormantAccounts({
      doc: reader,
      table: options.table,
      users: unproven,
      cutoffMs: context.cutoffMs,
      asOfIso: context.asOfIso,
      concurrency: options.concurrency,
      onProgress: (done, total) => progress('users checked', done, total),
    });
    const dormantFile = packFile(context.path(FILES.dormant));
    await writeDormantAccounts(dormant, 'csv', dormantFile);
    await finish(dormantFile);
    return { signIns: signIns.totals(), authEvents, dormant, existingUsers: existing.length };
  };
}

/**
 * The audit pack: one folder with the period's sign-ins (the `history --from --to --format csv` export, same
 * columns), the authentication events when the stack records them, the dormant-account review as of the end
 * of the period, a summary with the stack's protection status, a readable report, and a manifest with the
 * SHA-256 of every file. Records are streamed to their CSV and counted on the way (per day, per client…);
 * only those counts, the pool's users and the dormant list are held in memory.
 */

import { once } from 'node:events';
import { createWriteStream, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LoginHistoryItem } from '#contract';
import { protectionStatus } from '../account/protection.ts';
import { translateNotFound } from '../core/cli.ts';
import { tapped } from '../core/generic.ts';
import { csvRecord, writeDormantAccounts, writeSignIns, writeText } from '../core/output.ts';
import type { AuthEventsWhere } from '../core/stack.ts';
import { AUTH_EVENT_FIELDS, type AuthEventRecord, authEventsOfPeriod } from '../records/auth-events.ts';
import { type DormantAccount, dormantAccounts, type PoolUser } from '../records/dormant-accounts.ts';
import { DAY_MS, signInsBetween } from '../records/sign-ins.ts';
import { fileEntries, MANIFEST, type Manifest, sha256Of } from './manifest.ts';
import { type Lang, renderReport } from './report/report.ts';
import { FILES, type PackSummary } from './summary.ts';
import { AuthEventTally, daysBetween, SignInTally } from './tally.ts';

export interface PackOptions {
  out: string;
  /** ISO times, both included (a date given on the command line is already a whole UTC day). */
  from: string;
  to: string;
  userPoolId: string;
  table: string;
  shards: number;
  authEvents: AuthEventsWhere;
  inactiveDays: number;
  lang: Lang;
  region?: string;
  stackName?: string;
  retentionDays?: string;
  /** The command line's parameters as the manifest records them. */
  parameters: Record<string, unknown>;
  reader: DynamoDBDocumentClient;
  ddb: DynamoDBClient;
  /** The pool's users (ListUsers), read by the caller. */
  users: PoolUser[];
  concurrency: number;
  tool: Manifest['tool'];
  identity: Manifest['identity'];
  now?: () => Date;
  progress?: (stage: string, done: number, total?: number) => void;
}

/**
 * A file of the pack. A write error (disk full, folder removed) is kept and rethrown by finish() rather
 * than crashing the process; a write waiting for 'drain' sees it at once (events.once rejects on 'error').
 */
function packFile(path: string): Writable & { failure?: Error } {
  const stream: Writable & { failure?: Error } = createWriteStream(path);
  stream.on('error', (error) => {
    stream.failure = error;
  });
  return stream;
}

async function finish(stream: Writable & { failure?: Error }): Promise<void> {
  if (stream.failure) throw stream.failure;
  stream.end();
  await once(stream, 'finish');
}

export async function writeAuditPack(
  options: PackOptions,
): Promise<{ summary: PackSummary; manifestSha256: string }> {
  const { out, reader } = options;
  const progress = options.progress ?? (() => undefined);
  const fromMs = Date.parse(options.from);
  const toMs = Date.parse(options.to);
  // The pack's moment: a period that ends later is read up to now, and the dormant review is taken as of now
  // (a review "as of" a day still to come would call accounts dormant that have time left).
  const generatedAt = (options.now?.() ?? new Date()).toISOString();
  const asOfMs = Math.min(toMs, Date.parse(generatedAt));
  const asOfIso = new Date(asOfMs).toISOString();
  const days = daysBetween(options.from.slice(0, 10), options.to.slice(0, 10));
  const written: string[] = [];
  const path = (name: string) => {
    written.push(name);
    return join(out, name);
  };

  try {
    // 1. The period's sign-ins, exactly as `npm run history -- --from --to --format csv` writes them.
    const signIns = new SignInTally(days);
    let count = 0;
    const signInFile = packFile(path(FILES.signIns));
    await writeSignIns(
      tapped(
        signInsBetween(reader, options.table, options.shards, options.from, options.to),
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
    let authEvents: PackSummary['authEvents'];
    const subNames = new Map(options.users.map((u) => [u.sub, u.userName]));
    if ('table' in options.authEvents) {
      const tally = new AuthEventTally(days);
      const file = packFile(path(FILES.authEvents));
      const write = (text: string) => writeText(file, text);
      await write(csvRecord(AUTH_EVENT_FIELDS));
      let events = 0;
      try {
        for await (const event of authEventsOfPeriod(reader, options.authEvents.table, fromMs, toMs)) {
          tally.add(event);
          await write(csvRecord(AUTH_EVENT_FIELDS.map((f) => String((event as AuthEventRecord)[f] ?? ''))));
          progress('authentication events', ++events);
        }
      } catch (error) {
        throw translateNotFound(
          error,
          `the authentication-events table ${options.authEvents.table}`,
          '--auth-events-table-name / --stack-name',
        );
      }
      await finish(file);
      const totals = tally.totals();
      authEvents = {
        recorded: true,
        table: options.authEvents.table,
        ...totals,
        topFailingUsers: totals.topFailingUsers.map((u) => ({
          ...u,
          ...(subNames.has(u.sub) ? { userName: subNames.get(u.sub) } : {}),
        })),
      };
    } else {
      authEvents = { recorded: false, reason: options.authEvents.absent };
    }

    // 3. The dormant-account review as of the end of the period, over the accounts that existed then.
    // A user who signed in between the cutoff and --to is active: the period's export has just proved it,
    // so only the others cost a Query (their latest sign-in may predate the period).
    const existing = options.users.filter((u) => u.createdAt <= asOfIso);
    const cutoffMs = asOfMs - options.inactiveDays * DAY_MS;
    const cutoffIso = new Date(cutoffMs).toISOString();
    const unproven = existing.filter((u) => (signIns.latestOf(u.sub) ?? '') < cutoffIso);
    const dormant: DormantAccount[] = await dormantAccounts({
      doc: reader,
      table: options.table,
      users: unproven,
      cutoffMs,
      asOfIso,
      concurrency: options.concurrency,
      onProgress: (done, total) => progress('users checked', done, total),
    });
    const dormantFile = packFile(path(FILES.dormant));
    await writeDormantAccounts(dormant, 'csv', dormantFile);
    await finish(dormantFile);

    // 4. Protection status and the summary.
    progress('protection status', 0);
    const protection = await protectionStatus({
      ddb: options.ddb,
      table: options.table,
      region: options.region,
      stackName: options.stackName,
      retentionDays: options.retentionDays,
    });
    const summary: PackSummary = {
      generatedAt,
      period: {
        from: options.from,
        to: options.to,
        fromDay: days[0] as string,
        toDay: days.at(-1) as string,
        days: days.length,
        reachesPastGeneration: options.to > generatedAt,
      },
      userPoolId: options.userPoolId,
      table: options.table,
      ...(options.stackName ? { stackName: options.stackName } : {}),
      signIns: signIns.totals(),
      authEvents,
      dormantAccounts: {
        asOf: asOfIso,
        inactiveDays: options.inactiveDays,
        cutoff: new Date(cutoffMs).toISOString(),
        users: existing.length,
        dormant: dormant.length,
        neverRecorded: dormant.filter((a) => a.lastSignedInAt === null).length,
        disabled: dormant.filter((a) => !a.enabled).length,
      },
      protection,
    };
    writeFileSync(path(FILES.summary), `${JSON.stringify(summary, null, 2)}\n`);

    // 5. The report (it lists the SHA-256 of the files above), then the manifest of everything.
    const dataFiles = await fileEntries(out);
    writeFileSync(
      path(FILES.report),
      renderReport({
        lang: options.lang,
        summary,
        dormant,
        files: dataFiles,
        tool: options.tool,
        identity: options.identity,
      }),
    );
    const manifest: Manifest = {
      tool: options.tool,
      generatedAt,
      parameters: options.parameters,
      identity: options.identity,
      files: await fileEntries(out),
    };
    writeFileSync(path(MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    return { summary, manifestSha256: await sha256Of(join(out, MANIFEST)) };
  } catch (error) {
    // A half-written pack must not pass for a pack: remove what this run wrote.
    for (const name of written) rmSync(join(out, name), { force: true });
    throw error;
  }
}

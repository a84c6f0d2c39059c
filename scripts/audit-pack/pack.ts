/**
 * The audit pack: one folder with the period's sign-ins (the `history --from --to --format csv` export, same
 * columns), the authentication events when the stack records them, the dormant-account review as of the end
 * of the period, a summary with the stack's protection status, a readable report, and a manifest with the
 * SHA-256 of every file. Where the records come from is the caller's choice: the tables (table-records.ts,
 * records streamed to their CSV and counted on the way) or the lake (lake-records.ts, the same questions as
 * SQL); this module writes the rest, the same way for both.
 */

import { once } from 'node:events';
import { createWriteStream, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { protectionStatus } from '../account/protection.ts';
import type { AuthEventsWhere } from '../core/stack.ts';
import type { DormantAccount } from '../records/dormant-accounts.ts';
import { DAY_MS } from '../records/sign-ins.ts';
import { type IntegritySource, integrityOfPeriod } from './integrity.ts';
import { fileEntries, MANIFEST, type Manifest, sha256Of } from './manifest.ts';
import { type Lang, renderReport } from './report/report.ts';
import { FILES, type PackSummary } from './summary.ts';
import { type AuthEventTotals, daysBetween, type SignInTotals } from './tally.ts';

/** What the records' side of a pack needs to know: the period, the review's moment, where to write. */
export interface RecordsContext {
  /** ISO times, both included (a date given on the command line is already a whole UTC day). */
  from: string;
  to: string;
  fromMs: number;
  toMs: number;
  /** Every UTC day of the period. */
  days: string[];
  /** The dormant review's moment (the end of the period, or now if that is earlier), and its cutoff. */
  asOfIso: string;
  cutoffMs: number;
  authEvents: AuthEventsWhere;
  /** A file of the pack: its path (the name is kept so that a failed run removes the file). */
  path(name: string): string;
  progress(stage: string, done: number, total?: number): void;
}

/** What the records' side answers; the pack writes the summary, the report and the manifest from it. */
export interface RecordsAnswer {
  signIns: SignInTotals;
  /** Undefined when the authentication events are not recorded (AuthEventsWhere says why). */
  authEvents?: Omit<AuthEventTotals, 'topFailingUsers'> & {
    topFailingUsers: { sub: string; userName?: string; failures: number }[];
  };
  /** The review: dormant accounts in the review's order (dormant-accounts.ts), and how many existed. */
  dormant: DormantAccount[];
  existingUsers: number;
}

export type PackRecords = (context: RecordsContext) => Promise<RecordsAnswer>;

export interface PackOptions {
  out: string;
  from: string;
  to: string;
  userPoolId: string;
  table: string;
  authEvents: AuthEventsWhere;
  /** Where the sealed digests are, or why the pack has none. */
  integrity: IntegritySource;
  inactiveDays: number;
  lang: Lang;
  region?: string;
  stackName?: string;
  retentionDays?: string;
  /** The command line's parameters as the manifest records them. */
  parameters: Record<string, unknown>;
  ddb: DynamoDBClient;
  records: PackRecords;
  tool: Manifest['tool'];
  identity: Manifest['identity'];
  now?: () => Date;
  progress?: (stage: string, done: number, total?: number) => void;
}

/**
 * A file of the pack. A write error (disk full, folder removed) is kept and rethrown by finish() rather
 * than crashing the process; a write waiting for 'drain' sees it at once (events.once rejects on 'error').
 */
export function packFile(path: string): Writable & { failure?: Error } {
  const stream: Writable & { failure?: Error } = createWriteStream(path);
  stream.on('error', (error: NodeJS.ErrnoException) => {
    // A failed write (ENOSPC) carries no path: the error names this file, for runCli's one line.
    stream.failure = Object.assign(error, { path: error.path ?? path });
  });
  return stream;
}

export async function finish(stream: Writable & { failure?: Error }): Promise<void> {
  if (stream.failure) throw stream.failure;
  stream.end();
  await once(stream, 'finish');
}

export async function writeAuditPack(
  options: PackOptions,
): Promise<{ summary: PackSummary; manifestSha256: string }> {
  const { out } = options;
  const progress = options.progress ?? (() => undefined);
  // The pack's moment: a period that ends later is read up to now, and the dormant review is taken as of now
  // (a review "as of" a day still to come would call accounts dormant that have time left).
  const generatedAt = (options.now?.() ?? new Date()).toISOString();
  const toMs = Date.parse(options.to);
  const asOfMs = Math.min(toMs, Date.parse(generatedAt));
  const cutoffMs = asOfMs - options.inactiveDays * DAY_MS;
  const days = daysBetween(options.from.slice(0, 10), options.to.slice(0, 10));
  const written: string[] = [];
  const path = (name: string) => {
    written.push(name);
    return join(out, name);
  };

  try {
    // 1-3. The records: sign-ins, authentication events, the dormant-account review.
    const answer = await options.records({
      from: options.from,
      to: options.to,
      fromMs: Date.parse(options.from),
      toMs,
      days,
      asOfIso: new Date(asOfMs).toISOString(),
      cutoffMs,
      authEvents: options.authEvents,
      path,
      progress,
    });

    // 4. The trail's integrity over the period (verify-trail), with the digests an auditor checks alone.
    const integrity = await integrityOfPeriod({
      source: options.integrity,
      region: options.region,
      sources: [
        {
          table: 'sign-ins',
          tableName: options.table,
          dayIndexShards: 'shards' in options.integrity ? options.integrity.shards : 1,
        },
        ...('table' in options.authEvents
          ? [{ table: 'auth-events' as const, tableName: options.authEvents.table }]
          : []),
      ],
      from: options.from,
      to: options.to,
      ...(options.now ? { now: options.now } : {}),
      progress,
    });
    for (const [file, text] of Object.entries(integrity.files)) {
      writeFileSync(path(FILES[file as keyof typeof FILES]), text);
    }

    // 5. Protection status and the summary.
    progress('protection status', 0);
    const protection = await protectionStatus({
      ddb: options.ddb,
      table: options.table,
      region: options.region,
      stackName: options.stackName,
      retentionDays: options.retentionDays,
    });
    const { dormant } = answer;
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
      signIns: answer.signIns,
      authEvents:
        'table' in options.authEvents && answer.authEvents
          ? { recorded: true, table: options.authEvents.table, ...answer.authEvents }
          : {
              recorded: false,
              reason: 'absent' in options.authEvents ? options.authEvents.absent : 'not-named',
            },
      dormantAccounts: {
        asOf: new Date(asOfMs).toISOString(),
        inactiveDays: options.inactiveDays,
        cutoff: new Date(cutoffMs).toISOString(),
        users: answer.existingUsers,
        dormant: dormant.length,
        neverRecorded: dormant.filter((a) => a.lastSignedInAt === null).length,
        disabled: dormant.filter((a) => !a.enabled).length,
      },
      protection,
      integrity: integrity.summary,
    };
    writeFileSync(path(FILES.summary), `${JSON.stringify(summary, null, 2)}\n`);

    // 6. The report (it lists the SHA-256 of the files above), then the manifest of everything.
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

/**
 * `npm run replay`'s command line and run: the options checked, the input (a file or the log group) and the
 * writer (this thread or writer threads) chosen, the report printed. The entry file holds only the usage.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  CommandError,
  explainAwsError,
  parseOptions,
  positiveInteger,
  readableFile,
  requireOne,
  terminalProgress,
  translateNotFound,
  UsageError,
} from '../core/cli.ts';
import { type AwsCredentialIdentity, clientConfig } from '../core/clients.ts';
import { counted } from '../core/generic.ts';
import {
  DEFAULT_CONCURRENCY,
  failureLinesFromLogGroup,
  type LogLine,
  linesFromFile,
  parseSince,
  ReplayStopped,
  replayWith,
} from './replay.ts';
import { startWriterPool, type WriterOptions, type WriterPool, workerThreadsAvailable } from './workers.ts';

export const DEFAULT_WORKERS = workerThreadsAvailable() ? Math.min(4, availableParallelism()) : 1;

export const USAGE = `usage: npm run replay -- (--log-group <name> --since <time> | --file <path>)
                      (--table-name <table> | --stack-name <stack>) [--dry-run] [--concurrency N]
                      [--workers N] [--role-arn <arn>] [--region <region>]

Finds LOGIN_HISTORY_WRITE_FAILED records (CloudWatch Logs FilterLogEvents, or a file of exported log
lines, both streamed) and inserts their items with a conditional put: running it twice adds nothing.
--since takes an ISO time (2026-11-26T00:00:00Z) or an age (90m, 36h, 7d). --stack-name supplies the table
and, without --file, the log group. --concurrency: writes in flight (default ${DEFAULT_CONCURRENCY}); throttling
is waited out. --workers: threads that write (default ${DEFAULT_WORKERS}: one per core, at most 4), since one
thread's SDK work caps it near 1,700 puts/s. The table accepts puts only from the stack's writers: replay runs
as the stack's ReplayRole (output ReplayRoleArn, or --role-arn). Exit 1 when a record was unreadable or could
not be inserted; a table, permission or network problem stops the run with one line. Exporting the log group:
docs/replay.md.`;

/** The command, in process: resolves to its exit code (runCli maps thrown errors to 1 and 2). */
export async function run(argv: readonly string[]): Promise<number> {
  const values = parseOptions(argv, {
    'log-group': { type: 'string' },
    since: { type: 'string' },
    file: { type: 'string' },
    'table-name': { type: 'string' },
    'stack-name': { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    concurrency: { type: 'string' },
    workers: { type: 'string' },
    'role-arn': { type: 'string' },
    region: { type: 'string' },
  });
  const workers = positiveInteger('workers', values.workers, 16) ?? DEFAULT_WORKERS;
  if (workers > 1 && !workerThreadsAvailable()) {
    throw new UsageError(`--workers above 1 needs Node.js 22.18 or later (this is ${process.version})`);
  }
  const concurrency = positiveInteger('concurrency', values.concurrency, 1000) ?? DEFAULT_CONCURRENCY;
  requireOne(values, ['table-name', 'stack-name']);
  if (values.file && (values['log-group'] || values.since))
    throw new UsageError('--file excludes --log-group/--since');
  if (!values.file && !values.since)
    throw new UsageError('give --file, or --since with --log-group / --stack-name');
  const region = values.region;

  let table = values['table-name'];
  let logGroup = values['log-group'];
  let roleArn = values['role-arn'];
  if (values['stack-name']) {
    const { OUTPUT, readStackIn } = await import('../core/stack.ts');
    const stack = await readStackIn(region, values['stack-name']);
    table = stack.output(OUTPUT.tableName);
    logGroup ??= stack.optionalOutput(OUTPUT.logGroupName);
    roleArn ??= stack.optionalOutput(OUTPUT.replayRoleArn);
  }
  // The table's resource policy lets only the stack's writers put: everything below runs as its ReplayRole.
  let credentials: AwsCredentialIdentity | undefined;
  const { callerArn, credentialsOf } = await import('../account/role-session.ts');
  const replayedBy = values['dry-run'] ? undefined : await callerArn(region);
  if (roleArn)
    credentials = await credentialsOf(region, roleArn, 'replay', replayedBy ?? (await callerArn(region)));
  if (!values.file && !logGroup) throw new UsageError('--log-group is required (or --stack-name)');

  let lines: AsyncIterable<LogLine>;
  let logs: CloudWatchLogsClient | undefined;
  if (values.file) {
    lines = linesFromFile(readableFile('file', values.file));
  } else {
    const { CloudWatchLogsClient } = await import('@aws-sdk/client-cloudwatch-logs');
    logs = new CloudWatchLogsClient(clientConfig(region, { credentials }));
    const since = parseSince(values.since as string);
    if (since === undefined)
      throw new UsageError(`--since "${values.since}" is neither an ISO time nor an age like 36h`);
    lines = failureLinesFromLogGroup(logs, logGroup as string, since);
  }

  const writeOptions = { dryRun: values['dry-run'], region, credentials };
  // Writer threads each have their own SDK client (replay-worker.ts); with one, it writes in this thread.
  const writer =
    workers > 1
      ? await startWriterPool(workers, table as string, writeOptions)
      : await thisThread(table as string, writeOptions);
  // Each page of items is announced before it is put (a replay record), so that verify-trail explains it.
  const announcing = values['dry-run']
    ? undefined
    : await announcingClient(table as string, writeOptions, replayedBy);
  try {
    const progress = terminalProgress('failure records handled:');
    const report = await replayWith(writer.write, lines, {
      concurrency,
      onProgress: (handled) => progress.update(handled),
      ...(announcing ? { announce: announcing.announce } : {}),
    });
    progress.end();
    const verb = values['dry-run'] ? 'would insert' : 'inserted';
    console.log(
      `${verb}: ${report.inserted}, already present: ${report.alreadyPresent}, unreadable: ${report.unreadableCount}` +
        (report.failedCount > 0 ? `, failed: ${report.failedCount}` : ''),
    );
    for (const u of report.unreadable) console.log(`  unreadable ${u.source}: ${u.reason}`);
    if (report.unreadableCount > report.unreadable.length)
      console.log(
        `  … and ${counted(report.unreadableCount - report.unreadable.length, 'more unreadable line')}`,
      );
    for (const f of report.failed) console.log(`  failed ${f.signInId}: ${f.error}`);
    if (report.failedCount > report.failed.length)
      console.log(
        `  … and ${counted(report.failedCount - report.failed.length, 'more failed record')} (run again to retry them)`,
      );
    return report.unreadableCount > 0 || report.failedCount > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof ReplayStopped) throw stoppedMessage(error, table as string);
    // Errors from reading: the log group.
    throw translateNotFound(error, `log group ${logGroup}`, '--log-group / --stack-name');
  } finally {
    await writer.close();
    announcing?.doc.destroy();
    logs?.destroy();
  }
}

/** The announcements' writer, in this thread, as the same identity as the writes. */
async function announcingClient(table: string, options: WriterOptions, replayedBy: string | undefined) {
  const { writerClient } = await import('./writer.ts');
  const { announcer } = await import('./announce.ts');
  const doc = writerClient(options);
  const run = {
    replayedAt: new Date().toISOString(),
    runId: randomUUID().slice(0, 8),
    replayedBy: replayedBy ?? 'unknown',
  };
  return { doc, announce: announcer(doc, table, run) };
}

/** One line for a replay that could not go on: what is wrong, and what was done before. */
function stoppedMessage(stopped: ReplayStopped, table: string): CommandError {
  const { cause, report } = stopped;
  const reason =
    cause.name === 'ResourceNotFoundException'
      ? `table ${table} does not exist (check --table-name / --stack-name and --region)`
      : (explainAwsError(cause) ?? `${cause.name}: ${cause.message}`);
  const done = report.inserted + report.alreadyPresent;
  return new CommandError(
    done === 0
      ? `${reason}; nothing was inserted`
      : `${reason}; stopped after ${report.inserted} inserted and ${report.alreadyPresent} already present (running again skips them)`,
  );
}

/**
 * The writer for --workers 1: the conditional put in this thread, with one SDK client. The SDK is loaded only
 * here: with writer threads, this thread reads and reports and never holds a DynamoDB client.
 */
async function thisThread(table: string, options: WriterOptions): Promise<WriterPool> {
  const { recordWriter, writerClient } = await import('./writer.ts');
  const doc = writerClient(options);
  return { write: recordWriter(doc, table, options), close: async () => doc.destroy() };
}

/** `npm run replay`: put failure records (sign-ins the function could not write) into the history table. */
import { runCli } from '../core/cli.ts';
import { DEFAULT_WORKERS, replayCommand } from './command.ts';
import { DEFAULT_CONCURRENCY } from './replay.ts';

const USAGE = `usage: npm run replay -- (--log-group <name> --since <time> | --file <path>)
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

await runCli(USAGE, () => replayCommand(process.argv.slice(2)));

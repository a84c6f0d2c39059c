/**
 * `npm run history`: the login history, read the ways auditors ask for it: one user's or one day's sign-ins
 * (newest first), every sign-in of a period (oldest first, streamed, for spreadsheets), and the dormant
 * accounts of a pool; and, where the stack records them, the authentication events (failed attempts).
 */

import { parseOptions, runCli } from '../core/cli.ts';
import { AUTH_EVENTS_USAGE, AUTH_EVENTS_WHERE } from './auth-events-modes.ts';
import { HISTORY_OPTIONS, historyRequest, runHistory } from './command.ts';

const USAGE = `usage: npm run history -- <what> <where> [--format table|json|jsonl|csv | --json] [--region <region>]

what (exactly one):
  --sub <sub> | --username <name> --user-pool-id <id> | --email <email> --user-pool-id <id>
                                      one user's sign-ins, newest first (--limit N, default 50)
  --date <YYYY-MM-DD>                 one day's sign-ins, newest first (--limit N, default 50)
  --from <date or ISO time> --to <date or ISO time>
                                      every sign-in of the period, oldest first, streamed (dates are whole
                                      UTC days, both ends included; no limit unless --limit is given)
  --inactive-since <N>d --user-pool-id <id>
                                      users with no recorded sign-in in the last N days, or none at all
                                      (--concurrency N, default 16)
${AUTH_EVENTS_USAGE}
where (exactly one):
  --table-name <table> [--shards N]   --shards: the stack parameter DayIndexShards (default 1)
  --stack-name <stack>                reads the table, shards and DayIndex from the stack
${AUTH_EVENTS_WHERE}`;

await runCli(USAGE, async () =>
  runHistory(historyRequest(parseOptions(process.argv.slice(2), HISTORY_OPTIONS))),
);

/**
 * `npm run history`: the login history, read the ways auditors ask for it: one user's or one day's sign-ins
 * (newest first), every sign-in of a period (oldest first, streamed, for spreadsheets), and the dormant
 * accounts of a pool; and, where the stack records them, the authentication events (failed attempts).
 */
import { runCli } from '../core/cli.ts';
import { run, USAGE } from './command.ts';

await runCli(USAGE, () => run(process.argv.slice(2)));

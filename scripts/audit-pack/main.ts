/**
 * `npm run audit-pack`: the evidence folder an auditor receives (sign-ins, authentication events, the
 * dormant-account review, a summary with the protection status, a readable report, a manifest of SHA-256s),
 * and `--verify <folder>` to recheck one.
 */
import { runCli } from '../core/cli.ts';
import { run, USAGE } from './command.ts';

await runCli(USAGE, () => run(process.argv.slice(2)));

/**
 * `npm run erase`: erases one person's login history (sign-ins and, when recorded, authentication events) at
 * their request, as the stack's erasure role, and leaves an erasure record without personal data.
 */
import { runCli } from '../core/cli.ts';
import { run, USAGE } from './command.ts';

await runCli(USAGE, () => run(process.argv.slice(2)));

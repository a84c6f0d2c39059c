/** `npm run replay`: put failure records (sign-ins the function could not write) into the history table. */
import { runCli } from '../core/cli.ts';
import { run, USAGE } from './command.ts';

await runCli(USAGE, () => run(process.argv.slice(2)));

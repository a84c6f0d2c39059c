/** `npm run restore`: put a user pool back to a backup written by attach or detach. */
import { runCli } from '../core/cli.ts';
import { run, USAGE } from './command.ts';

await runCli(USAGE, () => run(process.argv.slice(2)));

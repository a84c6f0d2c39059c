/** `npm run attach`: attach the PostAuthentication trigger without resetting any other pool setting. */
import { runCli } from '../core/cli.ts';
import { run, USAGE } from './command.ts';

await runCli(USAGE, () => run(process.argv.slice(2)));

/** `npm run protect`: put the tables' protection back as the deployed stack declares it. */
import { runCli } from '../core/cli.ts';
import { run, USAGE } from './command.ts';

await runCli(USAGE, () => run(process.argv.slice(2)));

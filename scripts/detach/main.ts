/** `npm run detach`: remove only the PostAuthentication trigger, keeping every other pool setting. */
import { runCli } from '../core/cli.ts';
import { run, USAGE } from './command.ts';

await runCli(USAGE, () => run(process.argv.slice(2)));

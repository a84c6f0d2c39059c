/** `npm run doctor`: the post-deploy checklist of a live stack, read-only. */
import { runCli } from '../core/cli.ts';
import { run, USAGE } from './command.ts';

await runCli(USAGE, () => run(process.argv.slice(2)));

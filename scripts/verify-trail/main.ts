/**
 * `npm run verify-trail`: checks the sealed digests of a period (signatures, chain, sealed items against the
 * tables now) and names every difference, saying which ones TTL, an erasure or a replay explain.
 */
import { runCli } from '../core/cli.ts';
import { run, USAGE } from './command.ts';

await runCli(USAGE, () => run(process.argv.slice(2)));

/**
 * `npm run export-ocsf`: a period's sign-ins and authentication events as OCSF Authentication events, as JSON
 * Lines for a SIEM or as Parquet in Amazon Security Lake's custom-source layout.
 */
import { runCli } from '../core/cli.ts';
import { run, USAGE } from './command.ts';

await runCli(USAGE, () => run(process.argv.slice(2)));

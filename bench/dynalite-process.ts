// dynalite in a process of its own (so a benchmark does not share its event loop): prints its endpoint,
// exits when its parent closes stdin. An optional argument is a folder to keep the data in (LevelDB on
// disk) instead of memory, for tables of millions of items.
import { startDynalite } from '../dev/local-stack/dynalite.ts';

const path = process.argv[2];
const dynamo = await startDynalite(path ? { path } : {});
process.stdout.write(`${dynamo.endpoint}\n`);
process.stdin.on('end', () => void dynamo.close().then(() => process.exit(0)));
process.stdin.resume();

// dynalite in a process of its own (so a benchmark does not share its event loop): prints its endpoint,
// exits when its parent closes stdin.
import { startDynalite } from '../scripts/local-stack/dynalite.ts';

const dynamo = await startDynalite();
process.stdout.write(`${dynamo.endpoint}\n`);
process.stdin.on('end', () => void dynamo.close().then(() => process.exit(0)));
process.stdin.resume();

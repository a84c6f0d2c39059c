// The sealer's work for one day of a table, in a process of its own so that its time and peak memory are
// measured alone (bench/integrity.ts): the same sealing as the scheduled function, against the bench's
// dynalite and moto. Arguments: a JSON object {dynamodb, moto, bucket, keyArn, table, shards, day}.
import { sealLocally } from '../dev/local-stack/digests-local.ts';
import { localDocumentClient } from '../dev/local-stack/local-clients.ts';

const options = JSON.parse(process.argv[2] as string);
const doc = localDocumentClient(options.dynamodb);
const start = Date.parse(`${options.day}T00:00:00.000Z`);
const report = await sealLocally(
  { bucket: options.bucket, keyArn: options.keyArn, endpoint: options.moto },
  doc,
  [{ table: 'sign-ins', tableName: options.table, dayIndexShards: options.shards }],
  { genesis: start, until: start + 86_400_000 },
);
doc.destroy();
process.stdout.write(`${JSON.stringify(report)}\n`);

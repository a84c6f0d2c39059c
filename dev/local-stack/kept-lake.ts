/**
 * The kept stack's lake (as a stack with Lake=enabled has it): the lake bucket on moto's S3, and the stack's
 * own LakeFunction, built like `sam build` builds it and run behind the local Lambda endpoint, fed from the
 * tables' DynamoDB streams (moto's) as the template's event source mappings feed it (stream-mapping.ts). The
 * objects are therefore exactly what the deployed function writes: OCSF Parquet in Security Lake's layout,
 * one object per dataset and day of a batch, named after its first stream sequence number.
 *
 * moto's S3 starts empty at every start (its recording keeps only DynamoDB and Secrets Manager), so the start
 * rebuilds the lake from the tables: every item, handed to the function as the INSERT record the stream would
 * carry for it, in batches of the mapping's size. The tables are the truth; a person erased earlier has no
 * item left, so no row comes back. From then on the mappings follow the streams from where they end at start,
 * and copy what is new every MaximumBatchingWindowInSeconds (as the mapping's batching window would) and at
 * every seal, after every write begun before the seal is in.
 */

import { join } from 'node:path';
import {
  type AttributeValue,
  DescribeTableCommand,
  type DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  type OwnershipControls,
  type PublicAccessBlockConfiguration,
  PutBucketEncryptionCommand,
  PutBucketOwnershipControlsCommand,
  PutPublicAccessBlockCommand,
  type ServerSideEncryptionByDefault,
} from '@aws-sdk/client-s3';
import type { DynamoDBRecord } from 'aws-lambda';
import { LOG_NAME, type LogName } from '../../authenticated/src/ocsf.ts';
import { counted } from '../../scripts/core/generic.ts';
import { buildFunctionBundle } from '../build/bundle.ts';
import {
  AUTH_EVENTS_TABLE_ID,
  functionSettings,
  LAKE_BUCKET_ID,
  LAKE_FUNCTION_ID,
  LAKE_STREAM_IDS,
  resolvedProperty,
  TABLE_ID,
  type Template,
} from '../build/template.ts';
import { localS3 } from './digests-local.ts';
import type { KeptPart, KeptPartContext } from './kept-part.ts';
import { LOCAL_SDK_REGION, localClientConfig, localDynamoDB } from './local-clients.ts';
import { builtFunction, LOCAL_ACCOUNT } from './local-lambda.ts';
import { type Drained, type MappingSettings, mappingSettings, StreamMapping } from './stream-mapping.ts';

/** The bucket's name: the same at every start (the bucket itself is new each time). */
export const LOCAL_LAKE_BUCKET = 'login-history-lake-local';
/** The stack's parameters the kept stack stands for: it records auth events, and has the lake. */
const LAKE_PARAMETERS = { AuthEvents: 'enabled', Lake: 'enabled' };

/**
 * Rebuild records carry sequence numbers below any a stream gives (moto's start at 1100000000017454423009,
 * AWS's have 21 digits or more), so an object the rebuild names never collides with one the stream names.
 */
const rebuildSequence = (n: number) => String(n).padStart(21, '0');

/** The lake bucket on moto, with the settings of the template's LakeBucket that moto keeps. */
async function createLakeBucket(motoEndpoint: string, template: Template): Promise<void> {
  const property = <T>(name: string) =>
    resolvedProperty(template, LAKE_BUCKET_ID, name, { parameters: LAKE_PARAMETERS }) as T;
  // CloudFormation's rule names the default `ServerSideEncryptionByDefault`; S3's API, `Apply…`.
  const encryption = property<{
    ServerSideEncryptionConfiguration: {
      ServerSideEncryptionByDefault: ServerSideEncryptionByDefault;
      BucketKeyEnabled?: boolean;
    }[];
  }>('BucketEncryption');
  const s3 = localS3(motoEndpoint);
  const Bucket = LOCAL_LAKE_BUCKET;
  const steps: [string, () => Promise<unknown>][] = [
    ['CreateBucket', () => s3.send(new CreateBucketCommand({ Bucket }))],
    [
      'PutBucketEncryption',
      () =>
        s3.send(
          new PutBucketEncryptionCommand({
            Bucket,
            ServerSideEncryptionConfiguration: {
              Rules: encryption.ServerSideEncryptionConfiguration.map((rule) => ({
                ApplyServerSideEncryptionByDefault: rule.ServerSideEncryptionByDefault,
                BucketKeyEnabled: rule.BucketKeyEnabled,
              })),
            },
          }),
        ),
    ],
    [
      'PutPublicAccessBlock',
      () =>
        s3.send(
          new PutPublicAccessBlockCommand({
            Bucket,
            PublicAccessBlockConfiguration: property<PublicAccessBlockConfiguration>(
              'PublicAccessBlockConfiguration',
            ),
          }),
        ),
    ],
    [
      'PutBucketOwnershipControls',
      () =>
        s3.send(
          new PutBucketOwnershipControlsCommand({
            Bucket,
            OwnershipControls: property<OwnershipControls>('OwnershipControls'),
          }),
        ),
    ],
  ];
  try {
    for (const [name, step] of steps) {
      await step().catch((error: Error) => {
        throw new Error(`the lake bucket ${Bucket} on moto: ${name} failed: ${error.name}: ${error.message}`);
      });
    }
  } finally {
    s3.destroy();
  }
}

/** A table as the lake part needs it: its stream and key schema. */
interface StreamedTable {
  dataset: LogName;
  tableName: string;
  streamArn: string;
  keys: string[];
  /** The sort key: both tables' begin with the record's ISO time, so sorting by it is time order. */
  sortKey: string | undefined;
}

async function streamedTable(
  ddb: DynamoDBClient,
  dataset: LogName,
  tableName: string,
): Promise<StreamedTable> {
  const { Table } = await ddb.send(new DescribeTableCommand({ TableName: tableName }));
  if (!Table?.LatestStreamArn || !Table.StreamSpecification?.StreamEnabled) {
    throw new Error(`table ${tableName} has no stream; the lake reads the tables' streams`);
  }
  const keys = (Table.KeySchema ?? []).map((key) => key.AttributeName as string);
  return {
    dataset,
    tableName,
    streamArn: Table.LatestStreamArn,
    keys,
    sortKey: Table.KeySchema?.find((key) => key.KeyType === 'RANGE')?.AttributeName,
  };
}

/**
 * Every item of the table, oldest first, handed to the function as the INSERT records its stream would carry
 * (NEW_AND_OLD_IMAGES), in batches of the mapping's size; returns how many items.
 */
async function rebuildFrom(
  ddb: DynamoDBClient,
  table: StreamedTable,
  settings: MappingSettings,
  invoke: (records: DynamoDBRecord[]) => Promise<void>,
  sequence: { next: number },
): Promise<number> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await ddb.send(
      new ScanCommand({ TableName: table.tableName, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  const sortOf = (item: Record<string, AttributeValue>) => (table.sortKey && item[table.sortKey]?.S) || '';
  items.sort((a, b) => (sortOf(a) < sortOf(b) ? -1 : sortOf(a) > sortOf(b) ? 1 : 0));
  const now = Math.floor(Date.now() / 1000);
  const records = items.map(
    (item): DynamoDBRecord => ({
      eventID: `rebuild-${sequence.next}`,
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: LOCAL_SDK_REGION,
      eventSourceARN: table.streamArn,
      dynamodb: {
        ApproximateCreationDateTime: now,
        Keys: Object.fromEntries(table.keys.map((key) => [key, item[key]])) as never,
        NewImage: item as never,
        SequenceNumber: rebuildSequence(sequence.next++),
        SizeBytes: JSON.stringify(item).length,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    }),
  );
  const handedOver = records.filter((record) => settings.passes(record));
  for (let i = 0; i < handedOver.length; i += settings.batchSize) {
    await invoke(handedOver.slice(i, i + settings.batchSize));
  }
  return items.length;
}

export async function startKeptLake(context: KeptPartContext): Promise<KeptPart> {
  const { stack, template, motoEndpoint, dataDir, log } = context;
  await createLakeBucket(motoEndpoint, template);

  // The stack's LakeFunction, built from the current source as `sam build` builds it, its environment as
  // CloudFormation resolves it for this stack (LAKE_BUCKET, ACCOUNT_ID, both tables).
  const settings = functionSettings(template, {
    tableName: stack.tableName,
    parameters: LAKE_PARAMETERS,
    functionId: LAKE_FUNCTION_ID,
    tableId: TABLE_ID,
    resources: {
      [LAKE_BUCKET_ID]: LOCAL_LAKE_BUCKET,
      [AUTH_EVENTS_TABLE_ID]: stack.authEvents?.tableName ?? '',
      'AWS::AccountId': LOCAL_ACCOUNT,
    },
  });
  const modulePath = await buildFunctionBundle(settings, join(dataDir, 'build', LAKE_FUNCTION_ID));
  stack.lambda.register(
    builtFunction(LAKE_FUNCTION_ID, modulePath, settings, { AWS_ENDPOINT_URL_S3: motoEndpoint }),
  );

  const ddb = localDynamoDB(motoEndpoint);
  const streams = new DynamoDBStreamsClient(localClientConfig(motoEndpoint));
  const lambda = new LambdaClient(localClientConfig(stack.lambda.endpoint));
  /** What the mapping does with a batch: a synchronous Invoke; a function error fails the batch. */
  const invoke = async (records: DynamoDBRecord[]) => {
    const result = await lambda.send(
      new InvokeCommand({ FunctionName: LAKE_FUNCTION_ID, Payload: JSON.stringify({ Records: records }) }),
    );
    if (result.FunctionError) {
      throw new Error(
        `${LAKE_FUNCTION_ID} failed on a batch of ${counted(records.length, 'record')} from ` +
          `${records[0]?.eventSourceARN} (from sequence number ${records[0]?.dynamodb?.SequenceNumber}): ` +
          `${Buffer.from(result.Payload ?? []).toString('utf8')}; the next copy hands the batch over again`,
      );
    }
  };

  try {
    const tables = [
      await streamedTable(ddb, LOG_NAME.signIns, stack.tableName),
      ...(stack.authEvents
        ? [await streamedTable(ddb, LOG_NAME.authEvents, stack.authEvents.tableName)]
        : []),
    ];
    const streamIds: Record<LogName, string> = {
      [LOG_NAME.signIns]: LAKE_STREAM_IDS.signIns,
      [LOG_NAME.authEvents]: LAKE_STREAM_IDS.authEvents,
    };
    const mapped: { table: StreamedTable; settings: MappingSettings; stream: StreamMapping }[] = [];
    // The streams' ends first, then the tables: nothing writes meanwhile (the start's sign-ins are settled
    // and no shell has the endpoints yet), so the two describe the same moment.
    for (const table of tables) {
      const mapping = mappingSettings(template, streamIds[table.dataset], LAKE_PARAMETERS);
      mapped.push({
        table,
        settings: mapping,
        stream: await StreamMapping.atLatest(streams, table.streamArn, mapping, invoke),
      });
    }
    const sequence = { next: 1 };
    const rebuilt: string[] = [];
    for (const { table, settings: mapping } of mapped) {
      const count = await rebuildFrom(ddb, table, mapping, invoke, sequence);
      rebuilt.push(`${table.dataset} ${counted(count, 'item')}`);
    }
    log(
      `Lake s3://${LOCAL_LAKE_BUCKET}/ rebuilt from the tables by ${LAKE_FUNCTION_ID} (${rebuilt.join(', ')}); ` +
        'from now on it follows their streams',
    );

    // One copy at a time: two drains of the same stream would hand the same records over twice.
    let last: Promise<unknown> = Promise.resolve();
    const copy = (): Promise<{ table: StreamedTable; drained: Drained }[]> => {
      const next = last.then(async () => {
        const results = [];
        for (const { table, stream } of mapped) results.push({ table, drained: await stream.drain() });
        return results;
      });
      last = next.catch(() => undefined);
      return next;
    };
    const windowMs = Math.min(...mapped.map(({ settings: mapping }) => mapping.batchingWindowSeconds)) * 1000;
    const timer = setInterval(() => {
      copy().then(
        (results) => {
          const copied = results.filter(({ drained }) => drained.handedOver > 0);
          if (copied.length > 0) {
            log(
              `Lake: ${copied.map(({ table, drained }) => `${table.dataset} ${counted(drained.handedOver, 'new record')}`).join(', ')} copied`,
            );
          }
        },
        (error: Error) => log(`the lake's copy failed: ${error.message}`),
      );
    }, windowMs);

    return {
      name: 'lake',
      exports: { LAKE_BUCKET: LOCAL_LAKE_BUCKET },
      async seal() {
        const results = await copy();
        return [
          `lake        ${results
            .map(({ table, drained }) => `${table.dataset} ${counted(drained.handedOver, 'new record')}`)
            .join(', ')} copied by ${LAKE_FUNCTION_ID} to s3://${LOCAL_LAKE_BUCKET}/`,
        ];
      },
      async stop() {
        clearInterval(timer);
        await last;
        ddb.destroy();
        streams.destroy();
        lambda.destroy();
      },
    };
  } catch (error) {
    ddb.destroy();
    streams.destroy();
    lambda.destroy();
    throw error;
  }
}

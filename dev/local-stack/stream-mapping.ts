/**
 * What a Lambda event source mapping on a DynamoDB stream does, offline: reads the stream's shards with
 * DynamoDB Streams' own API (moto's), keeps the records the mapping's filter lets through, and hands them to
 * the function in batches of at most BatchSize, with `eventSourceARN` added as Lambda adds it. The position
 * moves on only after the function succeeded, so a batch that fails is read and handed over again by the next
 * drain (the mapping's retry), never skipped. The batch size, batching window and filter come from the
 * template's AWS::Lambda::EventSourceMapping.
 *
 * Not emulated: retries with backoff within one drain, bisecting a failing batch, the on-failure destination
 * (a failure is thrown to the caller, who says so), shards that split later (moto keeps one shard per table).
 */
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { resolvedProperty, type Template } from '../build/template.ts';

export interface MappingSettings {
  batchSize: number;
  batchingWindowSeconds: number;
  /** FilterCriteria: does the mapping hand this record to the function? */
  passes(record: DynamoDBRecord): boolean;
}

/**
 * One FilterCriteria pattern as a predicate. Only what the template uses is understood: top-level fields,
 * each with a list of exact values (`{"eventName": ["INSERT"]}`); anything else is refused here rather than
 * read wrongly (AWS's own engine, event-ruler, checks the patterns in tests/template/).
 */
export function filterOf(pattern: string): (record: DynamoDBRecord) => boolean {
  const parsed = JSON.parse(pattern) as Record<string, unknown>;
  const fields = Object.entries(parsed).map(([field, values]) => {
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) {
      throw new Error(
        `the local stream mapping understands only {"field": ["value", …]} patterns: ${pattern}`,
      );
    }
    return [field, new Set(values)] as const;
  });
  return (record) =>
    fields.every(([field, values]) => values.has(String((record as Record<string, unknown>)[field])));
}

/** The settings of the template's event source mapping `mappingId`, with `parameters` applied. */
export function mappingSettings(
  template: Template,
  mappingId: string,
  parameters: Record<string, string>,
): MappingSettings {
  const property = (name: string) => resolvedProperty(template, mappingId, name, { parameters });
  const filters = (
    (property('FilterCriteria') as { Filters?: { Pattern: string }[] } | undefined)?.Filters ?? []
  ).map((filter) => filterOf(filter.Pattern));
  return {
    batchSize: Number(property('BatchSize')),
    batchingWindowSeconds: Number(property('MaximumBatchingWindowInSeconds')),
    // Lambda hands a record over when any one of the filters matches it.
    passes: (record) => filters.length === 0 || filters.some((passes) => passes(record)),
  };
}

export interface Drained {
  /** Records read from the stream, and of those the ones handed to the function. */
  read: number;
  handedOver: number;
  invocations: number;
}

export class StreamMapping {
  private constructor(
    private readonly streams: DynamoDBStreamsClient,
    readonly streamArn: string,
    private readonly settings: MappingSettings,
    private readonly invoke: (records: DynamoDBRecord[]) => Promise<void>,
    /** Per shard: the iterator the next read starts from. */
    private readonly positions: Map<string, string>,
  ) {}

  /**
   * A mapping that starts at the stream's end as it is now (LATEST): what was written before is not handed
   * over (the kept stack's lake is rebuilt from the tables instead).
   */
  static async atLatest(
    streams: DynamoDBStreamsClient,
    streamArn: string,
    settings: MappingSettings,
    invoke: (records: DynamoDBRecord[]) => Promise<void>,
  ): Promise<StreamMapping> {
    const description = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const positions = new Map<string, string>();
    for (const shard of description.StreamDescription?.Shards ?? []) {
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shard.ShardId,
          ShardIteratorType: 'LATEST',
        }),
      );
      if (ShardIterator && shard.ShardId) positions.set(shard.ShardId, ShardIterator);
    }
    return new StreamMapping(streams, streamArn, settings, invoke, positions);
  }

  /**
   * Hands every record the stream holds past the position to the function, batch by batch, and moves the
   * position past each batch once the function succeeded. moto answers an empty page at the stream's end.
   */
  async drain(): Promise<Drained> {
    const drained: Drained = { read: 0, handedOver: 0, invocations: 0 };
    for (const [shard, start] of this.positions) {
      let iterator: string | undefined = start;
      while (iterator) {
        const page: GetRecordsCommandOutput = await this.streams.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: this.settings.batchSize }),
        );
        const records = (page.Records ?? []).map((record) => this.asDelivered(record));
        if (records.length === 0) break;
        drained.read += records.length;
        const batch = records.filter((record) => this.settings.passes(record));
        if (batch.length > 0) {
          await this.invoke(batch);
          drained.invocations++;
          drained.handedOver += batch.length;
        }
        iterator = page.NextShardIterator;
        if (iterator) this.positions.set(shard, iterator);
      }
    }
    return drained;
  }

  /** A record as Lambda hands it to the function: the stream's record with the stream's ARN. */
  private asDelivered(record: StreamRecord): DynamoDBRecord {
    const dynamodb = record.dynamodb;
    return {
      ...(record as DynamoDBRecord),
      dynamodb: {
        ...(dynamodb as DynamoDBRecord['dynamodb']),
        // The SDK parses the epoch seconds into a Date; Lambda's JSON carries the number.
        ...(dynamodb?.ApproximateCreationDateTime
          ? { ApproximateCreationDateTime: dynamodb.ApproximateCreationDateTime.getTime() / 1000 }
          : {}),
      },
      eventSourceARN: this.streamArn,
    };
  }
}

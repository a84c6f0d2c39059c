/** The key hashes erasures announced (contract.ts ErasureKeysRecord), read by the change detector. */
import { ERASURE_KEYS_PARTITION, type ErasureKeysRecord } from './contract.ts';
import { pages, type Query } from './interval-items.ts';

export function erasureAnnouncements(query: Query, signInTable: string) {
  return async (sinceIso: string): Promise<Set<string>> => {
    const hashes = new Set<string>();
    for await (const page of pages(query, {
      TableName: signInTable,
      KeyConditionExpression: '#sub = :p AND signInId >= :since',
      ExpressionAttributeNames: { '#sub': 'sub' },
      ExpressionAttributeValues: { ':p': ERASURE_KEYS_PARTITION, ':since': sinceIso },
      ProjectionExpression: 'keyHashes',
      ConsistentRead: true,
    })) {
      for (const item of page)
        for (const hash of (item as unknown as ErasureKeysRecord).keyHashes ?? []) hashes.add(hash);
    }
    return hashes;
  };
}

/**
 * The small helpers both functions' mappings share (history-item.ts, auth-event-record.ts): reading an event
 * whose shape is not trusted, and spreading keys over a fixed number of shards.
 */

/** The value as an object with string keys, or undefined when it is not one (an array, null, a scalar). */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** FNV-1a: a stable, dependency-free hash to spread keys over shards (the sign-ins' day index, the auth events' day partitions). */
export function shardOf(key: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

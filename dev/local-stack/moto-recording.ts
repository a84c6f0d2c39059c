/**
 * The kept stack's DynamoDB and Secrets Manager state across stop and start, through moto's own request
 * recorder: moto appends every request it receives to one file (MOTO_RECORDER_FILEPATH) as it arrives, so a
 * kill -9 loses nothing already answered; the next start replays the file into a fresh moto
 * (POST /moto-api/recorder/replay-recording), which rebuilds tables, items, TTL, streams and secrets.
 *
 * Before each replay the file is compacted: only the calls that change DynamoDB or Secrets Manager are kept.
 * Reads (every `history`, every `audit-pack`) would otherwise be replayed forever and slow every start, and
 * S3 and KMS start afresh on purpose (KMS key material cannot be replayed: docs/local-stack.md).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

/** The services whose state the recording keeps, by the JSON protocol's X-Amz-Target prefix. */
const KEPT_TARGETS = /^(DynamoDB_20120810|secretsmanager)\.(\w+)$/;
/** Operations that change nothing (their replay would only cost time). */
const READ_ONLY = /^(Get|BatchGet|TransactGet|Describe|List|Query|Scan)/;

export interface Compaction {
  kept: number;
  dropped: number;
  /** Lines that are no request (a torn write): named in the log, never replayed. */
  unreadable: string[];
}

interface RecordedRequest {
  headers?: Record<string, string>;
}

/**
 * moto writes a request of more than its 8 KiB buffer and its newline in two writes, so a concurrent
 * request's line can land between them: `{…}{…}` on one line. Such a line is split back into its requests.
 */
function requestsOfLine(line: string): RecordedRequest[] | undefined {
  for (const parts of [[line], line.split(/(?<=\})(?=\{"headers")/)]) {
    try {
      return parts.map((part) => JSON.parse(part) as RecordedRequest);
    } catch {
      // try the next way of reading it
    }
  }
  return undefined;
}

function keeps(request: RecordedRequest): boolean {
  const target = Object.entries(request.headers ?? {}).find(
    ([name]) => name.toLowerCase() === 'x-amz-target',
  );
  const match = KEPT_TARGETS.exec(target?.[1] ?? '');
  return match !== null && !READ_ONLY.test(match[2] as string);
}

/** Rewrites the recording at `file` with only the state-changing calls to DynamoDB and Secrets Manager. */
export function compactRecording(file: string): Compaction {
  const result: Compaction = { kept: 0, dropped: 0, unreadable: [] };
  if (!existsSync(file)) return result;
  const kept: string[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const requests = requestsOfLine(line);
    if (!requests) {
      result.unreadable.push(line.length > 200 ? `${line.slice(0, 200)}…` : line);
      continue;
    }
    for (const request of requests) {
      if (keeps(request)) {
        kept.push(JSON.stringify(request));
        result.kept++;
      } else {
        result.dropped++;
      }
    }
  }
  // Written beside it and renamed: a crash mid-write never leaves half a recording.
  writeFileSync(`${file}.compacting`, kept.map((line) => `${line}\n`).join(''), { mode: 0o600 });
  renameSync(`${file}.compacting`, file);
  return result;
}

async function recorder(endpoint: string, action: 'replay-recording' | 'start-recording'): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/recorder/${action}`, { method: 'POST' });
  if (!response.ok) throw new Error(`moto ${action}: HTTP ${response.status} ${await response.text()}`);
}

/** Replays the (compacted) recording into moto at `endpoint`, then records every request from now on. */
export async function restoreAndRecord(endpoint: string, file: string): Promise<void> {
  if (existsSync(file)) await recorder(endpoint, 'replay-recording');
  await recorder(endpoint, 'start-recording');
}

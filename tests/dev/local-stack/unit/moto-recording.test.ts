/**
 * The kept stack's recording is compacted before each replay: the calls that change DynamoDB or Secrets
 * Manager stay, in their order; reads, S3, KMS and moto's own API go; a line moto tore (a long request and a
 * concurrent one written between its two writes) is split back into both; a line that is no request is named,
 * never replayed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { compactRecording } from '../../../../dev/local-stack/moto-recording.ts';

/** One request as moto's recorder writes it (headers, method, url, body). */
const request = (target: string | undefined, body = '{}') =>
  JSON.stringify({
    headers: { Host: '127.0.0.1:1', ...(target ? { 'X-Amz-Target': target } : {}) },
    method: 'POST',
    url: 'http://127.0.0.1:1/',
    body,
    body_encoded: false,
  });

describe('compactRecording', () => {
  const dir = mkdtempSync(join(tmpdir(), 'moto-recording-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the changes to DynamoDB and Secrets Manager in order, and nothing else', () => {
    const file = join(dir, 'recording.jsonl');
    const put = request('DynamoDB_20120810.PutItem', '{"n":1}');
    const kept = [
      request('DynamoDB_20120810.CreateTable'),
      put,
      request('DynamoDB_20120810.UpdateTimeToLive'),
      request('secretsmanager.CreateSecret'),
      request('DynamoDB_20120810.DeleteItem'),
    ];
    const dropped = [
      request('DynamoDB_20120810.Query'),
      request('DynamoDB_20120810.Scan'),
      request('DynamoDB_20120810.GetItem'),
      request('DynamoDB_20120810.DescribeTable'),
      request('DynamoDB_20120810.GetResourcePolicy'),
      request('DynamoDBStreams_20120810.GetRecords'),
      request('secretsmanager.GetSecretValue'),
      request('secretsmanager.GetRandomPassword'),
      request('TrentService.Sign'), // KMS
      request(undefined), // S3's REST calls and moto's own API carry no target
    ];
    writeFileSync(
      file,
      `${[dropped[0], kept[0], dropped[1], kept[1], dropped[2], kept[2], ...dropped.slice(3), kept[3], kept[4]].join('\n')}\n`,
    );
    const result = compactRecording(file);
    assert.deepEqual(result, { kept: 5, dropped: 10, unreadable: [] });
    assert.deepEqual(readFileSync(file, 'utf8').trimEnd().split('\n'), kept);
    assert.equal(
      statSync(file).mode & 0o777,
      0o600,
      'the recording holds the salt: readable by its owner only',
    );
  });

  it('splits a torn line back into its requests and names a line that is no request', () => {
    const file = join(dir, 'torn.jsonl');
    const long = request('DynamoDB_20120810.BatchWriteItem', JSON.stringify({ items: 'x'.repeat(9000) }));
    const concurrent = request('DynamoDB_20120810.PutItem');
    writeFileSync(
      file,
      `${long}${concurrent}\n\n{"headers": {"X-Amz-Tar\n${request('DynamoDB_20120810.DeleteItem')}\n`,
    );
    const result = compactRecording(file);
    assert.equal(result.kept, 3);
    assert.deepEqual(result.unreadable, ['{"headers": {"X-Amz-Tar']);
    assert.deepEqual(readFileSync(file, 'utf8').trimEnd().split('\n'), [
      long,
      concurrent,
      request('DynamoDB_20120810.DeleteItem'),
    ]);
  });

  it('leaves a missing recording missing (the first start)', () => {
    assert.deepEqual(compactRecording(join(dir, 'none.jsonl')), { kept: 0, dropped: 0, unreadable: [] });
  });
});

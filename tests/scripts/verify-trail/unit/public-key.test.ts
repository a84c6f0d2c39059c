/**
 * `--public-key` names the file and says what is wrong with it in words: never OpenSSL's decoder error
 * ("error:1E08010C:DECODER routines::unsupported"). The key is read before anything is asked of AWS, so
 * run() refuses in process and contacts nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CommandError } from '../../../../scripts/core/cli.ts';
import { run } from '../../../../scripts/verify-trail/command.ts';

describe('verify-trail --public-key that is no public key', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'verify-trail-key-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  const refusal = async (name: string, text: string): Promise<string> => {
    const file = join(scratch, name);
    writeFileSync(file, text);
    const argv = ['--from', '2026-11-01', '--to', '2026-11-02', '--table-name', 't', '--digest-bucket', 'b'];
    try {
      await run([...argv, '--region', 'us-east-1', '--public-key', file]);
    } catch (error) {
      assert.ok(error instanceof CommandError, String(error));
      return error.message;
    }
    return assert.fail('the key was accepted');
  };

  it('a file without a PEM block: says so, naming the file', async () => {
    const message = await refusal('digest.json', '{"not":"a key"}\n');
    assert.equal(
      message,
      `${join(scratch, 'digest.json')} is not a PEM public key: it has no -----BEGIN PUBLIC KEY----- block`,
    );
  });

  it('a PEM block that is not a key: says so, naming the file', async () => {
    const notAKey = '-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n';
    const message = await refusal('broken.pem', notAKey);
    assert.equal(
      message,
      `${join(scratch, 'broken.pem')} holds a PEM block that is not a readable public key (expected -----BEGIN PUBLIC KEY-----, the signing key's)`,
    );
    assert.doesNotMatch(message, /error:|DECODER|routines/);
  });
});

/**
 * runCli's last line of defence: an error no command translated still becomes one line in words that names
 * its path or resource. The file-system errors are real ones, raised by node:fs on a scratch folder.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CommandError, errorSentence, fileErrorSentence, fileProblem } from '../../../../scripts/core/cli.ts';

const thrown = (action: () => unknown): unknown => {
  try {
    action();
  } catch (error) {
    return error;
  }
  assert.fail('expected an error');
};

describe('errors in words', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'error-sentences-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  const aFile = join(scratch, 'a-file');
  writeFileSync(aFile, 'x');

  it("a file-system error names its path and says what is wrong, never Node's code and text", () => {
    const cases: [unknown, string][] = [
      [
        thrown(() => mkdirSync(join(aFile, 'pack'), { recursive: true })),
        `cannot create the folder ${join(aFile, 'pack')}: a part of its path is a file, not a folder`,
      ],
      [
        thrown(() => readFileSync(join(scratch, 'missing.json'))),
        `cannot open ${join(scratch, 'missing.json')}: no such file or folder`,
      ],
      [
        thrown(() => readdirSync(aFile)),
        `cannot read the folder ${aFile}: a part of its path is a file, not a folder`,
      ],
      [thrown(() => mkdirSync(aFile)), `cannot create the folder ${aFile}: it already exists`],
    ];
    for (const [error, sentence] of cases) {
      assert.equal(fileErrorSentence(error), sentence);
      assert.equal(errorSentence(error), sentence, 'and runCli prints the same');
      assert.doesNotMatch(errorSentence(error), /\bE[A-Z]{4,}\b|Error/);
    }
    // Node gives some errors no path (reading a folder as a file): still words, never EISDIR.
    assert.equal(
      errorSentence(thrown(() => readFileSync(scratch))),
      'cannot read a file: it is a folder, not a file',
    );
  });

  it('leaves network errors (a code, no file syscall) to explainAwsError, which names the endpoint in words', () => {
    // Shaped as Node raises them under the SDK (the code, and where); nothing is contacted.
    const refused = Object.assign(new Error('connect ECONNREFUSED 192.0.2.7:4566'), {
      code: 'ECONNREFUSED',
      syscall: 'connect',
      address: '192.0.2.7',
      port: 4566,
    });
    assert.equal(fileErrorSentence(refused), undefined);
    const advice =
      'a network or endpoint problem, not a wrong name: check the network, --region and any AWS_ENDPOINT_URL_* variable';
    assert.equal(
      errorSentence(refused),
      `cannot reach the AWS endpoint 192.0.2.7:4566: nothing accepts connections there; ${advice}`,
    );
    // The variable that points there, when one does: what to fix.
    const saved = process.env.AWS_ENDPOINT_URL_STS;
    process.env.AWS_ENDPOINT_URL_STS = 'http://192.0.2.7:4566';
    try {
      assert.equal(
        errorSentence(refused),
        `cannot reach the AWS endpoint http://192.0.2.7:4566 (AWS_ENDPOINT_URL_STS): nothing accepts connections there; ${advice}`,
      );
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_STS;
      else process.env.AWS_ENDPOINT_URL_STS = saved;
    }
    const unknownName = Object.assign(new Error('getaddrinfo ENOTFOUND dynamodb.nowhere.example'), {
      code: 'ENOTFOUND',
      syscall: 'getaddrinfo',
      hostname: 'dynamodb.nowhere.example',
    });
    assert.equal(
      errorSentence(unknownName),
      `cannot reach the AWS endpoint dynamodb.nowhere.example: its name does not resolve; ${advice}`,
    );
    for (const error of [refused, unknownName]) {
      assert.doesNotMatch(
        errorSentence(error),
        /ECONNREFUSED|ENOTFOUND|getaddrinfo|connect /,
        "never Node's text",
      );
    }
    assert.equal(fileProblem({ code: 'ENOSPC' }), 'no space left on the device');
    assert.equal(fileProblem({ code: 'EWHATEVER' }), 'the file system refused it (EWHATEVER)');
  });

  it('an AWS error names the table it was about (namingTables marks it)', () => {
    const notFound = Object.assign(new Error('Requested resource not found'), {
      name: 'ResourceNotFoundException',
      resource: 'table login-history-typo',
    });
    assert.equal(
      errorSentence(notFound),
      'table login-history-typo does not exist (check its name and --region)',
    );
    const invalid = Object.assign(new Error('The provided key element does not match the schema'), {
      name: 'ValidationException',
      resource: 'table auth-events',
    });
    assert.equal(
      errorSentence(invalid),
      'table auth-events: ValidationException: The provided key element does not match the schema',
    );
    assert.equal(errorSentence(new CommandError('said as it is')), 'said as it is');
  });
});

/**
 * `npm run verify-trail`'s usage and run: where the records and digests are (the stack, or names), the key
 * the digests must be signed with, the verification, and its lines (or --json).
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { PUBLIC_KEY_PREFIX } from '../../authenticated/src/trail-digest.ts';
import {
  CommandError,
  parseOptions,
  readableFile,
  terminalProgress,
  translateNotFound,
  UsageError,
} from '../core/cli.ts';
import { clientConfig } from '../core/clients.ts';
import { period } from '../core/period.ts';
import { checkWhere, OUTPUT, resolveWhere, WHERE_OPTIONS } from '../core/stack.ts';
import { createReader } from '../records/sign-ins.ts';
import { verifyTrail } from '../records/trail.ts';
import { verdictLines } from './lines.ts';

export const USAGE = `usage: npm run verify-trail -- --from <date|ISO> --to <date|ISO> <where> [--public-key <pem file>]
                            [--json] [--region <region>]

Checks every sealed interval of the period: each digest's signature (offline, with the public key), the
chain (no digest missing, none reordered, none overwritten), and the items each digest sealed against the
tables now. Prints one line per difference, starting with what it is (altered, removed, inserted, missing
digest, bad signature, broken chain, bad leaves, overwritten, deleted), and says on the line which ones are
legitimate: removed by TTL, removed by npm run erase, inserted late by npm run replay. Time after the last
digest is reported as unsealed, not as a failure. Exit 0 when every difference is explained, 1 otherwise.

where (exactly one):
  --stack-name <stack>          the tables, the digest bucket and the signing key from the stack
  --table-name <table> --digest-bucket <bucket> [--auth-events-table-name <table>] [--shards N]
                                without the stack; the public key from the bucket (public-keys/) or --public-key
--from, --to        dates (whole UTC days, both included) or ISO times
--public-key <pem>  the key the digests must verify with (aws kms get-public-key --output text
                    --query PublicKey --key-id <SigningKeyArn> | base64 -d | openssl pkey -pubin -inform DER)
--json              the verdict as JSON`;

const OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string' },
  ...WHERE_OPTIONS,
  'digest-bucket': { type: 'string' },
  'public-key': { type: 'string' },
  json: { type: 'boolean', default: false },
  region: { type: 'string' },
} as const;

/** The key the digests must verify with, from a PEM file or object; OpenSSL's decoder error never reaches the line. */
function publicKeyFromPem(pem: string, where: string): KeyObject {
  try {
    return createPublicKey(pem);
  } catch {
    throw new CommandError(
      /-----BEGIN [A-Z ]+-----/.test(pem)
        ? `${where} holds a PEM block that is not a readable public key (expected -----BEGIN PUBLIC KEY-----, the signing key's)`
        : `${where} is not a PEM public key: it has no -----BEGIN PUBLIC KEY----- block`,
    );
  }
}

/** The bucket's copy of the public key, when it holds exactly one. */
async function bucketPublicKey(s3: S3Client, bucket: string): Promise<KeyObject> {
  const listed = await s3
    .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: PUBLIC_KEY_PREFIX }))
    .catch((error) => {
      throw translateNotFound(error, `digest bucket ${bucket}`, '--digest-bucket');
    });
  const keys = (listed.Contents ?? []).map((o) => o.Key as string).filter((k) => k.endsWith('.pem'));
  if (keys.length !== 1) {
    throw new CommandError(
      keys.length === 0
        ? `digest bucket ${bucket} holds no public key (${PUBLIC_KEY_PREFIX}): give --public-key`
        : `digest bucket ${bucket} holds ${keys.length} public keys (${keys.join(', ')}): give --public-key, the stack's SigningKeyArn's`,
    );
  }
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: keys[0] }));
  return publicKeyFromPem(
    await (object.Body as { transformToString(): Promise<string> }).transformToString(),
    `s3://${bucket}/${keys[0]}`,
  );
}

/** The command, in process: resolves to its exit code (runCli maps thrown errors to 1 and 2). */
export async function run(argv: readonly string[]): Promise<number> {
  const values = parseOptions(argv, OPTIONS);
  for (const name of ['from', 'to'] as const) {
    if (values[name] === undefined) throw new UsageError(`--${name} is required`);
  }
  checkWhere(values, ['shards', 'auth-events-table-name']);
  if (values['stack-name'] && values['digest-bucket']) {
    throw new UsageError('--digest-bucket goes with --table-name; --stack-name reads it from the stack');
  }
  if (values['table-name'] && !values['digest-bucket']) {
    throw new UsageError('--table-name needs --digest-bucket (the stack output DigestBucketName)');
  }
  const bounds = period(String(values.from), String(values.to));
  const region = values.region;
  const where = await resolveWhere(values, region);
  const bucket = where.stack ? where.stack.output(OUTPUT.digestBucketName) : String(values['digest-bucket']);
  const signingKeyArn = where.stack?.output(OUTPUT.signingKeyArn);

  const s3 = new S3Client(clientConfig(region));
  const kms = new KMSClient(clientConfig(region));
  const doc = createReader(region);
  try {
    let publicKey: KeyObject;
    if (values['public-key']) {
      publicKey = publicKeyFromPem(
        readFileSync(readableFile('public-key', values['public-key']), 'utf8'),
        values['public-key'],
      );
    } else if (signingKeyArn) {
      const answer = await kms.send(new GetPublicKeyCommand({ KeyId: signingKeyArn }));
      try {
        publicKey = createPublicKey({
          key: Buffer.from(answer.PublicKey ?? []),
          format: 'der',
          type: 'spki',
        });
      } catch {
        throw new CommandError(`KMS key ${signingKeyArn} answered with no readable public key`);
      }
    } else {
      publicKey = await bucketPublicKey(s3, bucket);
    }
    const sources = [
      { table: 'sign-ins' as const, tableName: where.table, dayIndexShards: where.shards },
      ...('table' in where.authEvents
        ? [{ table: 'auth-events' as const, tableName: where.authEvents.table }]
        : []),
    ];
    let stage = '';
    let shown = terminalProgress('');
    const verdict = await verifyTrail(
      {
        doc,
        s3,
        bucket,
        signInTable: where.table,
        sources,
        signingKey: { ...(signingKeyArn ? { arn: signingKeyArn } : {}), publicKey },
        progress: (name, done, total) => {
          if (name !== stage) {
            shown.end();
            stage = name;
            shown = terminalProgress(name);
          }
          shown.update(done, total);
        },
      },
      bounds.from,
      bounds.to,
    ).catch((error: Error) => {
      if (error.name === 'NoSuchBucket')
        throw new CommandError(
          `digest bucket ${bucket} does not exist (check --digest-bucket / --stack-name and --region)`,
        );
      throw translateNotFound(error, `table ${where.table}`, '--table-name / --stack-name');
    });
    shown.end();
    if (values.json) console.log(JSON.stringify(verdict, null, 2));
    else for (const line of verdictLines(verdict)) console.log(line);
    return verdict.intact ? 0 : 1;
  } finally {
    s3.destroy();
    kms.destroy();
    doc.destroy();
  }
}

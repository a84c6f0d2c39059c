/**
 * Scheduled (EventBridge Scheduler): seals the interval(s) of both tables since the last digest - hashes,
 * signs with the stack's KMS key and stores each in the digest bucket (Object Lock, compliance mode).
 * Entry file: wiring only. Configuration and the SDK clients are created once per container.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { s3DigestStore } from './src/digest-store.ts';
import { kmsSigner } from './src/kms-signer.ts';
import { createJsonLineLogger } from './src/log.ts';
import { readSealConfig } from './src/seal-config.ts';
import { SEAL_FAILED, sealTrail } from './src/seal-intervals.ts';

const log = createJsonLineLogger(process.env.AWS_LAMBDA_LOG_LEVEL);
const { config, problems } = readSealConfig(process.env);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 5 }));
const deps = {
  query: (input: ConstructorParameters<typeof QueryCommand>[0]) => doc.send(new QueryCommand(input)),
  store: s3DigestStore(new S3Client({ maxAttempts: 5 }), config.bucket),
  signer: kmsSigner(new KMSClient({ maxAttempts: 5 }), config.signingKeyArn),
  log,
};

/** Time kept back from the function's timeout: a run stops starting intervals this long before it. */
const RESERVE_MS = 30_000;

export async function handler(_event: unknown, context: Context) {
  if (problems.length > 0) {
    log('error', { code: SEAL_FAILED, message: 'invalid configuration', problems });
    throw new Error(`invalid configuration: ${problems.join('; ')}`);
  }
  try {
    return await sealTrail(deps, config, Date.now(), {
      deadline: Date.now() + context.getRemainingTimeInMillis() - RESERVE_MS,
    });
  } catch (error) {
    log('error', {
      code: SEAL_FAILED,
      message: 'sealing failed',
      errorName: (error as Error).name,
      errorMessage: (error as Error).message,
    });
    throw error;
  }
}

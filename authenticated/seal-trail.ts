/**
 * Scheduled (EventBridge Scheduler): seals the interval(s) of both tables since the last digest - hashes,
 * signs with the stack's KMS key and stores each in the digest bucket (Object Lock, compliance mode).
 * Entry file: wiring only. Configuration and the SDK clients are created once per container.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { s3DigestStore } from './src/digest-store.ts';
import { kmsSigner } from './src/kms-signer.ts';
import { createJsonLineLogger } from './src/log.ts';
import { readSealConfig } from './src/seal-config.ts';
import { createSealTrailHandler } from './src/seal-trail-handler.ts';

const log = createJsonLineLogger(process.env.AWS_LAMBDA_LOG_LEVEL);
const configResult = readSealConfig(process.env);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 5 }));

export const handler = createSealTrailHandler({
  configResult,
  deps: {
    query: (input) => doc.send(new QueryCommand(input)),
    store: s3DigestStore(new S3Client({ maxAttempts: 5 }), configResult.config.bucket),
    signer: kmsSigner(new KMSClient({ maxAttempts: 5 }), configResult.config.signingKeyArn),
    log,
  },
  log,
});

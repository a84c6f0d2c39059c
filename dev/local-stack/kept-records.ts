/**
 * The kept stack's AWS services beside Cognito and Lambda: one moto server (DynamoDB with streams, TTL,
 * point-in-time recovery, deletion protection and resource policies; Secrets Manager; STS; S3 with Object
 * Lock; KMS; and anything else a command may call), whose DynamoDB and Secrets Manager state outlives stop
 * and start through moto's request recorder (moto-recording.ts). Also the erasure salt, the trail the
 * CloudTrail recorder stands for, and the one-time import of the records an older kept stack left in
 * dynalite's files.
 */
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudTrailClient,
  CreateTrailCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  type DynamoDBClient,
  ListTablesCommand,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { counted } from '../../scripts/core/generic.ts';
import { loadTemplate, resolvedProperty } from '../build/template.ts';
import { localS3 } from './digests-local.ts';
import { startDynalite } from './dynalite.ts';
import { localClientConfig, localDynamoDB } from './local-clients.ts';
import { LOCAL_ACCOUNT } from './local-lambda.ts';
import { type RunningMoto, startMoto } from './moto.ts';
import { compactRecording, restoreAndRecord } from './moto-recording.ts';

/** The recording moto appends every request to (its state; mode 0600: it holds the erasure salt). */
export const recordingOf = (dataDir: string) => join(dataDir, 'moto-recording.jsonl');

/**
 * The salt secret's name: CloudFormation names the stack's ErasureSaltSecret `ErasureSaltSecret-<random>`;
 * the local one has `local` for the random part.
 */
export const LOCAL_SALT_SECRET = 'ErasureSaltSecret-local';

/** moto, with the kept state replayed into it and recording from now on. */
export async function startKeptMoto(dataDir: string, log: (line: string) => void): Promise<RunningMoto> {
  const recording = recordingOf(dataDir);
  if (!existsSync(recording)) writeFileSync(recording, '', { mode: 0o600 });
  const compacted = compactRecording(recording);
  if (compacted.unreadable.length > 0) {
    log(
      `${recording}: ${counted(compacted.unreadable.length, 'unreadable line')} left out of the replay ` +
        `(moto may have been killed mid-write): ${compacted.unreadable.join(' | ')}`,
    );
  }
  const moto = await startMoto({
    MOTO_RECORDER_FILEPATH: recording,
    // ARNs name the local account, as the local Lambda endpoint's do (moto's default is 123456789012).
    MOTO_ACCOUNT_ID: LOCAL_ACCOUNT,
  });
  if (!moto) {
    throw new Error('moto is not provisioned in .venv/moto (`npm run local-stack -- start` installs it)');
  }
  try {
    const started = performance.now();
    await restoreAndRecord(moto.endpoint, recording);
    if (compacted.kept > 0) {
      log(
        `Replayed ${counted(compacted.kept, 'recorded change')} into moto in ${((performance.now() - started) / 1000).toFixed(1)} s ` +
          `(left out ${counted(compacted.dropped, 'read or S3/KMS call', 'reads and S3/KMS calls')})`,
      );
    }
    return moto;
  } catch (error) {
    await moto.stop();
    throw error;
  }
}

/** The erasure salt as the template generates it (64 characters, no punctuation), created once. */
export async function ensureSaltSecret(endpoint: string): Promise<string> {
  const secrets = new SecretsManagerClient(localClientConfig(endpoint));
  try {
    try {
      await secrets.send(new DescribeSecretCommand({ SecretId: LOCAL_SALT_SECRET }));
      return LOCAL_SALT_SECRET;
    } catch (error) {
      if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    }
    const template = loadTemplate();
    const generate = resolvedProperty(template, 'ErasureSaltSecret', 'GenerateSecretString') as {
      PasswordLength: number;
      ExcludePunctuation: boolean;
    };
    const { RandomPassword } = await secrets.send(
      new GetRandomPasswordCommand({
        PasswordLength: generate.PasswordLength,
        ExcludePunctuation: generate.ExcludePunctuation,
      }),
    );
    await secrets.send(
      new CreateSecretCommand({
        Name: LOCAL_SALT_SECRET,
        Description: 'Salt of the sub hashes in the erasure records of the kept local stack',
        SecretString: RandomPassword,
      }),
    );
    return LOCAL_SALT_SECRET;
  } finally {
    secrets.destroy();
  }
}

/** The trail moto lists for the CloudTrail recorder (cloudtrail-recorder.ts), which records the calls. */
export const LOCAL_TRAIL = 'local-cloudtrail-recorder';

/**
 * Registers the CloudTrail recorder as what it stands in for: a trail logging this region's management
 * events, read and write (what the auth events need). `attach`, `doctor` and the audit pack then find the
 * trail as on a configured account. moto stores the trail and records nothing; the recorder records. New at
 * every start, as moto's CloudTrail state is not kept.
 */
export async function registerRecorderTrail(endpoint: string): Promise<void> {
  const s3 = localS3(endpoint);
  const cloudTrail = new CloudTrailClient(localClientConfig(endpoint));
  try {
    await s3.send(new CreateBucketCommand({ Bucket: `${LOCAL_TRAIL}-logs` }));
    await cloudTrail.send(new CreateTrailCommand({ Name: LOCAL_TRAIL, S3BucketName: `${LOCAL_TRAIL}-logs` }));
    await cloudTrail.send(
      new PutEventSelectorsCommand({
        TrailName: LOCAL_TRAIL,
        EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }],
      }),
    );
    await cloudTrail.send(new StartLoggingCommand({ Name: LOCAL_TRAIL }));
  } finally {
    s3.destroy();
    cloudTrail.destroy();
  }
}

/**
 * An older kept stack held its tables in dynalite's files (data/dynamodb/). Their items are copied into
 * moto's tables once, and the folder renamed to data/dynamodb.imported/, so nothing recorded is lost.
 * Returns how many items of which table were copied.
 */
export async function importDynaliteData(
  dataDir: string,
  target: DynamoDBClient,
  tables: string[],
): Promise<Record<string, number> | undefined> {
  const folder = join(dataDir, 'dynamodb');
  if (!existsSync(folder)) return undefined;
  const dynalite = await startDynalite({ path: folder });
  const source = localDynamoDB(dynalite.endpoint);
  const copied: Record<string, number> = {};
  try {
    const present = new Set((await source.send(new ListTablesCommand({}))).TableNames ?? []);
    for (const table of tables.filter((name) => present.has(name))) {
      copied[table] = 0;
      let start: Record<string, never> | undefined;
      do {
        const page = await source.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
        for (const Item of page.Items ?? []) {
          await target.send(new PutItemCommand({ TableName: table, Item }));
          copied[table]++;
        }
        start = page.LastEvaluatedKey as typeof start;
      } while (start);
    }
  } finally {
    source.destroy();
    await dynalite.close();
  }
  renameSync(folder, `${folder}.imported`);
  return copied;
}

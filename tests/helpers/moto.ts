/**
 * moto for the tests that need an account's services (dev/local-stack/moto.ts starts it): started and stopped
 * around a describe, and the trail an account keeps.
 */
import { after, before, type TestContext } from 'node:test';
import {
  CloudTrailClient,
  CreateTrailCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { type BucketLocationConstraint, CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { missingToolNotice, TOOLS } from '../../dev/build/toolchain.ts';
import { LOCAL_CREDENTIALS } from '../../dev/local-stack/local-clients.ts';
import { type RunningMoto, startMoto } from '../../dev/local-stack/moto.ts';
import { skipBecause } from './skip.ts';

/**
 * For the enclosing describe: moto started before its tests and stopped after them. `ready(t)` is the running
 * moto, or undefined once the test is skipped with the notice that says how to get moto.
 */
export function useMoto(): { ready(t: TestContext): RunningMoto | undefined } {
  let moto: RunningMoto | undefined;
  before(async () => {
    moto = await startMoto();
  });
  after(async () => {
    await moto?.stop();
  });
  return {
    ready(t) {
      if (!moto) skipBecause(t, missingToolNotice(TOOLS.moto));
      return moto;
    },
  };
}

/** A trail logging the region's management events, read and write, into a new bucket: what an account keeps. */
export async function createLoggingTrail(
  endpoint: string,
  region: string,
  trail: { name: string; bucket: string; multiRegion?: boolean },
): Promise<void> {
  const config = { endpoint, region, credentials: LOCAL_CREDENTIALS };
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: trail.bucket,
        // Outside us-east-1 S3 wants the bucket's region named.
        ...(region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
      }),
    );
  } finally {
    s3.destroy();
  }
  const cloudtrail = new CloudTrailClient(config);
  try {
    await cloudtrail.send(
      new CreateTrailCommand({
        Name: trail.name,
        S3BucketName: trail.bucket,
        ...(trail.multiRegion ? { IsMultiRegionTrail: true } : {}),
      }),
    );
    await cloudtrail.send(
      new PutEventSelectorsCommand({
        TrailName: trail.name,
        EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }],
      }),
    );
    await cloudtrail.send(new StartLoggingCommand({ Name: trail.name }));
  } finally {
    cloudtrail.destroy();
  }
}

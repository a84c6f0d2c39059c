/**
 * DynamoDB Streams target (both tables, Lake=enabled): copies each new record to the lake as OCSF Parquet.
 * Entry file: wiring only. Configuration and the SDK client are created once per container.
 */

import { CONFIG_INVALID, createLakeHandler } from './src/lake-batch.ts';
import { readLakeConfig } from './src/lake-config.ts';
import { createJsonLineLogger } from './src/log.ts';
import { createLakeObjectWriter, createLakeS3Client } from './src/write-lake-object.ts';

const log = createJsonLineLogger(process.env.AWS_LAMBDA_LOG_LEVEL);
const configResult = readLakeConfig(process.env);
if (configResult.problems.length > 0) {
  log('error', {
    code: CONFIG_INVALID,
    message: 'invalid configuration; every batch will fail',
    problems: configResult.problems,
  });
}

export const handler = createLakeHandler({
  configResult,
  putObject: createLakeObjectWriter(createLakeS3Client(), configResult.config.bucket),
  log,
});

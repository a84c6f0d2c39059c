// Lever: our handler, with the SDK client created on the first invocation instead of at import.
import type { Context, PostAuthenticationTriggerEvent } from 'aws-lambda';
import { readConfig } from '../../authenticated/src/config.ts';
import { createJsonLineLogger } from '../../authenticated/src/log.ts';
import { createPostAuthenticationHandler } from '../../authenticated/src/record-sign-in.ts';
import { createHistoryClient, createHistoryWriter } from '../../authenticated/src/write-history.ts';

let handle: ReturnType<typeof createPostAuthenticationHandler> | undefined;

export const handler = (event: PostAuthenticationTriggerEvent, context: Context) => {
  if (!handle) {
    const configResult = readConfig(process.env);
    handle = createPostAuthenticationHandler({
      configResult,
      writeItem: createHistoryWriter(createHistoryClient(), configResult.config.tableName),
      log: createJsonLineLogger(process.env.AWS_LAMBDA_LOG_LEVEL),
    });
  }
  return handle(event, context);
};

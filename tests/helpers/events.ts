import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context, PostAuthenticationTriggerEvent } from 'aws-lambda';
import { PROJECT_ROOT } from '../../dev/build/template.ts';

export function sampleEvent(name = 'post-authentication'): PostAuthenticationTriggerEvent {
  return JSON.parse(readFileSync(join(PROJECT_ROOT, 'events', `${name}.json`), 'utf8'));
}

/** A Lambda context whose remaining time counts down from `timeoutMs` like the real one. */
export function lambdaContext(requestId: string, timeoutMs = 3000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    awsRequestId: requestId,
    getRemainingTimeInMillis: () => deadline - Date.now(),
    functionName: 'AuthenticatedFunction',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:AuthenticatedFunction',
    memoryLimitInMB: '256',
    logGroupName: '/aws/lambda/AuthenticatedFunction',
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Collects what the handler logs, for assertions on codes and on the absence of attribute values. */
export function captureLogs() {
  const lines: { level: string; record: Record<string, unknown> }[] = [];
  return {
    lines,
    log: (level: string, record: Record<string, unknown>) => {
      lines.push({ level, record: JSON.parse(JSON.stringify(record)) });
    },
    codes: () => lines.map((l) => l.record.code),
  };
}

/** Credentials and region for SDK clients talking to local engines (never used against AWS). */
export function useLocalAwsEnvironment(): void {
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
}

/**
 * The whole application on loopback, no Docker and no AWS: dynalite (or a DynamoDB engine given, such as the
 * kept stack's moto) with the template's table,
 * the function built exactly as `sam build` builds it behind a local Lambda Invoke endpoint, and
 * cognito-local whose sign-ins invoke each pool's own PostAuthentication trigger. With `samLocal`, sign-ins
 * invoke the function through the real SAM emulator (`sam local start-lambda`, Docker) instead.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildFunctionBundle, handlerModulePath } from '../build/bundle.ts';
import { FUNCTION_ID, functionSettings, loadTemplate, TABLE_ID } from '../build/template.ts';
import type { DockerEngine } from '../docker/docker-engine.ts';
import { type SamLocalLambda, startSamLocalLambda } from '../docker/sam-local.ts';
import { type LocalAuthEvents, startLocalAuthEvents } from './auth-events-local.ts';
import { type RunningCognitoLocal, startCognitoLocal } from './cognito-local.ts';
import { type RunningDynalite, startDynalite } from './dynalite.ts';
import { FaultProxy } from './fault-proxy.ts';
import { LOCAL_CREDENTIALS_ENV, localDynamoDB } from './local-clients.ts';
import { builtFunction, LocalLambda } from './local-lambda.ts';
import { describeTable, ensureTemplateTable } from './template-tables.ts';

export const LOCAL_TABLE_NAME = 'login-history-local';

export interface LocalStackOptions {
  /** Keep data here between runs; a fresh temporary folder (removed on stop) otherwise. */
  dataDir?: string;
  /** Template parameter overrides, e.g. { OnWriteFailure: 'deny' }. */
  parameters?: Record<string, string>;
  /** Run this prebuilt `sam build` artifact folder instead of building (env LOGIN_HISTORY_BUNDLE_DIR). */
  bundleDir?: string;
  /** Print the function's log lines as they happen (on stdout, prefixed with the function name). */
  echoLogs?: boolean;
  /**
   * The function's ApplicationLogLevel for this run (AWS_LAMBDA_LOG_LEVEL), e.g. DEBUG to see its one line per
   * recorded sign-in; the template's level otherwise. What you would set on the function to troubleshoot.
   */
  functionLogLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Put a fault-injecting proxy between the function and DynamoDB (see `faults`). */
  faultProxy?: boolean;
  /** cognito-local's clock, e.g. to create accounts "in the past" for the dormant-account report. */
  cognitoNow?: () => Date;
  /**
   * Sign-ins invoke the function through `sam local start-lambda` on this engine, running the `sam build`
   * output whose template is `template`. DynamoDB then listens on the engine's bridge address (the container
   * reaches it as host.docker.internal); our own Lambda endpoint only answers the permission check.
   */
  samLocal?: { engine: DockerEngine; image?: string; template: string };
  /** AuthEvents=enabled: the auth-events table and function, and a CloudTrail recorder Cognito clients go through. */
  authEvents?: boolean;
  /**
   * A DynamoDB engine this stack uses but does not own (the kept stack's moto) instead of its own dynalite; the
   * tables are created there unless they exist, with every setting the engine implements.
   */
  dynamoEndpoint?: string;
  /** Lines about what the stack set up (each table's settings), e.g. for the kept stack's log. */
  log?: (line: string) => void;
}

export interface LocalStack {
  /** Where this stack keeps its data (removed on stop unless it was given). */
  dataDir: string;
  /** Environment for SDK clients and our scripts: the standard AWS_ENDPOINT_URL_* variables. */
  clientEnv: Record<string, string>;
  functionName: string;
  functionArn: string;
  tableName: string;
  modulePath: string;
  lambda: LocalLambda;
  dynamoEndpoint: string;
  /** The proxy the function reaches DynamoDB through, when `faultProxy` was asked for. */
  faults?: FaultProxy;
  /** The SAM emulator sign-ins go through, when `samLocal` was asked for. */
  sam?: SamLocalLambda;
  cognitoEndpoint: string;
  /** The auth-events part, when `authEvents` was asked for. */
  authEvents?: LocalAuthEvents;
  /** What `sam deploy` with CognitoUserPoolArn=<arn> creates: the invoke permission for that pool. */
  grantInvoke(poolArn: string): void;
  /**
   * Resolves once every sign-in begun so far is written: no invocation running, every recorded Cognito call
   * answered and its event delivered (what a seal waits for before sealing up to "now").
   */
  settled(): Promise<void>;
  /** Stops DynamoDB (for fault tests); the endpoint then refuses connections. */
  stopDynamo(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Points this process's SDK clients (and the commands it runs with process.env) at the stack. A profile
 * named in the user's shell would win over the local keys (the SDK skips environment credentials when
 * AWS_PROFILE is set) and fail on, say, an expired SSO session, so it is dropped here.
 */
export function useLocalStack(stack: LocalStack): void {
  Object.assign(process.env, stack.clientEnv);
  delete process.env.AWS_PROFILE;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'login-history-stack-'));
  mkdirSync(dataDir, { recursive: true });
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stoppers.splice(0).reverse()) await s().catch(() => undefined);
    if (temporary) rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const template = loadTemplate();
    const settings = functionSettings(template, {
      tableName: LOCAL_TABLE_NAME,
      parameters: options.parameters,
    });

    if (options.samLocal && options.faultProxy) throw new Error('faultProxy is not available with samLocal');
    if (options.samLocal && options.dynamoEndpoint)
      throw new Error('dynamoEndpoint is not available with samLocal');
    let dynamo: RunningDynalite | undefined = options.dynamoEndpoint
      ? undefined
      : await startDynalite({
          ...(temporary ? {} : { path: join(dataDir, 'dynamodb') }),
          ...(options.samLocal ? { host: options.samLocal.engine.bridgeAddress } : {}),
        });
    stoppers.push(async () => {
      await dynamo?.close();
    });
    const dynamoEndpoint = options.dynamoEndpoint ?? (dynamo as RunningDynalite).endpoint;
    const ddb = localDynamoDB(dynamoEndpoint);
    try {
      const report = await ensureTemplateTable(ddb, template, {
        tableId: TABLE_ID,
        tableName: LOCAL_TABLE_NAME,
        parameters: options.parameters,
      });
      options.log?.(describeTable(report));
    } finally {
      ddb.destroy();
    }

    const faults = options.faultProxy ? await new FaultProxy(dynamoEndpoint).start() : undefined;
    if (faults) stoppers.push(() => faults.stop());

    const bundleDir =
      options.bundleDir ??
      (options.samLocal ? join(dirname(options.samLocal.template), FUNCTION_ID) : undefined) ??
      process.env.LOGIN_HISTORY_BUNDLE_DIR;
    const modulePath = bundleDir
      ? handlerModulePath(settings, bundleDir)
      : await buildFunctionBundle(settings, join(dataDir, 'build', FUNCTION_ID));
    if (!existsSync(modulePath)) throw new Error(`no built handler at ${modulePath}; run sam build first`);

    const lambda = await new LocalLambda(
      new Map([
        [
          FUNCTION_ID,
          builtFunction(FUNCTION_ID, modulePath, settings, {
            ...(options.functionLogLevel ? { AWS_LAMBDA_LOG_LEVEL: options.functionLogLevel } : {}),
            AWS_ENDPOINT_URL_DYNAMODB: faults?.endpoint ?? dynamoEndpoint,
          }),
        ],
      ]),
      { echoLogs: options.echoLogs },
    ).start();
    stoppers.push(() => lambda.stop());

    let sam: SamLocalLambda | undefined;
    if (options.samLocal) {
      const port = new URL(dynamoEndpoint).port;
      sam = await startSamLocalLambda({
        engine: options.samLocal.engine,
        image: options.samLocal.image,
        template: options.samLocal.template,
        workDir: dataDir,
        parameters: options.parameters,
        envVars: {
          [FUNCTION_ID]: {
            TABLE_NAME: LOCAL_TABLE_NAME,
            AWS_ENDPOINT_URL_DYNAMODB: `http://host.docker.internal:${port}`,
          },
        },
      });
      stoppers.push(() => (sam as SamLocalLambda).stop());
    }

    const cognito: RunningCognitoLocal = await startCognitoLocal({
      dataDir: join(dataDir, 'cognito'),
      lambdaEndpoint: sam?.endpoint ?? lambda.endpoint,
      now: options.cognitoNow,
    });
    stoppers.push(() => cognito.close());
    const authEvents = options.authEvents
      ? await startLocalAuthEvents({
          template,
          parameters: options.parameters,
          dataDir,
          dynamoEndpoint,
          cognitoEndpoint: cognito.endpoint,
          lambda,
          log: options.log,
        })
      : undefined;
    if (authEvents) stoppers.push(() => authEvents.stop());
    // The Cognito endpoint every client of this stack calls (SDK clients, our commands, the kept stack's
    // exports): the CloudTrail recorder in front of cognito-local when the stack records auth events.
    const cognitoEndpoint = authEvents?.endpoint ?? cognito.endpoint;

    const permission = template.Resources.CognitoInvokePermission.Properties;
    return {
      dataDir,
      clientEnv: {
        ...LOCAL_CREDENTIALS_ENV,
        AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
        AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognitoEndpoint,
        AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint,
      },
      functionName: FUNCTION_ID,
      functionArn: lambda.functionArn(FUNCTION_ID),
      tableName: LOCAL_TABLE_NAME,
      modulePath,
      lambda,
      dynamoEndpoint,
      faults,
      sam,
      cognitoEndpoint,
      authEvents,
      grantInvoke: (poolArn) =>
        lambda.addPermission(FUNCTION_ID, {
          StatementId: 'CognitoInvokePermission',
          Action: permission.Action,
          Principal: permission.Principal,
          SourceArn: poolArn,
          SourceAccount: /^arn:[^:]+:[^:]+:[^:]*:([^:]*):/.exec(poolArn)?.[1] ?? '',
        }),
      settled: async () => {
        // A recorded call invokes the auth-events function; that function's invocation is awaited after it.
        await lambda.idle();
        await authEvents?.recorder.drain();
        await lambda.idle();
      },
      stopDynamo: async () => {
        if (options.dynamoEndpoint) throw new Error('this stack does not own its DynamoDB engine');
        await dynamo?.close();
        dynamo = undefined;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

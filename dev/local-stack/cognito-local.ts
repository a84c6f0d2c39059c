/**
 * cognito-local (a Cognito user-pool emulator) started in this process on a free loopback port.
 *
 * Its own trigger wiring differs from AWS in two ways that matter here (docs/tests-and-ci.md): it reads
 * triggers from one global config instead of each pool's LambdaConfig, and it swallows PostAuthentication
 * errors.
 * This adapter changes only that dispatch: a sign-in invokes the pool's own LambdaConfig.PostAuthentication
 * through the Lambda Invoke API (our local endpoint), and a function error fails the sign-in with
 * UserLambdaValidationException "PostAuthentication failed with error <message>." as AWS does.
 * Everything else - pools, users, passwords, MFA, tokens, UpdateUserPool - is cognito-local's own code.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { LOCAL_CREDENTIALS, LOCAL_SDK_REGION } from './local-clients.ts';
import { closeServer, loopbackUrl } from './servers.ts';

const require = createRequire(import.meta.url);
const lib = (path: string) => require(`cognito-local/lib/${path}`);
const localRequire = createRequire(require.resolve('cognito-local'));

/** How long Cognito waits for a trigger before failing the sign-in. */
export const COGNITO_TRIGGER_TIMEOUT_MS = 5000;

export interface RunningCognitoLocal {
  endpoint: string;
  close(): Promise<void>;
}

interface PostAuthenticationParams {
  clientId: string;
  clientMetadata?: Record<string, string>;
  source: string;
  userAttributes: unknown;
  username: string;
  userPoolId: string;
}

export async function startCognitoLocal(options: {
  dataDir: string;
  lambdaEndpoint?: string;
  region?: string;
  /** cognito-local's clock (account creation dates, tokens); the real time unless a test moves it. */
  now?: () => Date;
}): Promise<RunningCognitoLocal> {
  const { loadConfig } = lib('server/config');
  const { StormDBDataStoreFactory } = lib('services/dataStore/stormDb');
  const { CognitoServiceFactoryImpl } = lib('services/cognitoService');
  const { UserPoolServiceFactoryImpl, attributesToRecord } = lib('services/userPoolService');
  const services = lib('services');
  const { CryptoService } = lib('services/crypto');
  const { ConsoleMessageSender } = lib('services/messageDelivery/consoleMessageSender');
  const { MessageDeliveryService } = lib('services/messageDelivery/messageDelivery');
  const { otp } = lib('services/otp');
  const { JwtTokenGenerator } = lib('services/tokenGenerator');
  const { Router } = lib('server/Router');
  const { createServer } = lib('server/server');
  const { UserLambdaValidationError, UnexpectedLambdaExceptionError } = lib('errors');
  const pino = localRequire('pino');

  mkdirSync(join(options.dataDir, 'db'), { recursive: true });
  const logger = pino({ level: process.env.COGNITO_LOCAL_LOG_LEVEL ?? 'silent' });
  const ctx = { logger };
  const config = await loadConfig(ctx, new StormDBDataStoreFactory(options.dataDir));
  const clock = options.now ? { get: options.now } : new services.DateClock();
  const dataDirectory = join(options.dataDir, 'db');
  const dataStoreFactory = new StormDBDataStoreFactory(dataDirectory);
  // AWS defaults, not cognito-local's: a pool signs in by username unless CreateUserPool says otherwise.
  config.UserPoolDefaults = {};
  const cognitoClient = await new CognitoServiceFactoryImpl(
    dataDirectory,
    dataStoreFactory,
    new UserPoolServiceFactoryImpl(clock, dataStoreFactory),
  ).create(ctx, config.UserPoolDefaults);

  const lambdaService = new services.LambdaService({}, undefined);
  const triggers = new services.TriggersService(
    clock,
    cognitoClient,
    lambdaService,
    new CryptoService(config.KMSConfig),
  );
  const lambdaClient = options.lambdaEndpoint
    ? new LambdaClient({
        endpoint: options.lambdaEndpoint,
        region: options.region ?? LOCAL_SDK_REGION,
        credentials: LOCAL_CREDENTIALS,
        maxAttempts: 1,
      })
    : undefined;

  const originalEnabled = triggers.enabled.bind(triggers);
  triggers.enabled = (trigger: string) => trigger === 'PostAuthentication' || originalEnabled(trigger);
  triggers.postAuthentication = async (
    requestCtx: { logger: { warn: (o: unknown, m: string) => void } },
    params: PostAuthenticationParams,
  ) => {
    const pool = await cognitoClient.getUserPool(requestCtx, params.userPoolId);
    const functionName: string | undefined = pool.options.LambdaConfig?.PostAuthentication;
    if (!functionName || !lambdaClient) return;
    const event = lambdaService.createLambdaEvent({
      clientId: params.clientId,
      clientMetadata: params.clientMetadata,
      triggerSource: params.source,
      userAttributes: attributesToRecord(params.userAttributes),
      username: params.username,
      userPoolId: params.userPoolId,
    });
    let result: { FunctionError?: string; Payload?: Uint8Array };
    try {
      result = await lambdaClient.send(
        new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(event)) }),
        { abortSignal: AbortSignal.timeout(COGNITO_TRIGGER_TIMEOUT_MS) },
      );
    } catch (error) {
      requestCtx.logger.warn(error, 'PostAuthentication invoke failed');
      throw new UnexpectedLambdaExceptionError();
    }
    // SAM's emulator answers a timeout with plain text and no function error; Cognito treats an answer that
    // is not JSON as invalid output, whatever produced it.
    let payload: { errorMessage?: string } | null;
    try {
      payload = JSON.parse(Buffer.from(result.Payload ?? []).toString('utf8') || 'null');
    } catch {
      throw new UserLambdaValidationError('Invalid lambda function output : Invalid JSON');
    }
    if (result.FunctionError) {
      throw new UserLambdaValidationError(
        `PostAuthentication failed with error ${payload?.errorMessage ?? result.FunctionError}.`,
      );
    }
    if (payload === null || typeof payload !== 'object') {
      throw new UserLambdaValidationError('Invalid lambda function output : Invalid JSON');
    }
  };

  const serviceSet = {
    clock,
    cognito: cognitoClient,
    config,
    messages: new services.MessagesService(triggers, new MessageDeliveryService(new ConsoleMessageSender())),
    otp,
    tokenGenerator: new JwtTokenGenerator(clock, triggers, config.TokenConfig),
    triggers,
  };
  const server = await createServer(
    Router(serviceSet),
    logger,
    { port: 0, hostname: '127.0.0.1', https: false },
    serviceSet,
  ).start();
  return {
    endpoint: loopbackUrl(server),
    close: async () => {
      lambdaClient?.destroy();
      await closeServer(server);
    },
  };
}

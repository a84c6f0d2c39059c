/**
 * CloudTrail and EventBridge, for the local stack: an HTTP proxy in front of cognito-local that forwards
 * every user-pool API call unchanged and, for each call (success or failure), emits the CloudTrail event
 * AWS documents for it, wrapped in EventBridge's envelope, to a delivery function (the local stack invokes
 * AuthEventsFunction through the local Lambda endpoint). Like EventBridge, delivery is asynchronous: the
 * caller gets Cognito's answer at once, and a failed delivery is retried, then kept as undelivered (the
 * dead-letter queue's stand-in) - never dropped silently.
 *
 * Shapes: https://docs.aws.amazon.com/cognito/latest/developerguide/logging-using-cloudtrail.html (Cognito's
 * CloudTrail events, secrets shown as HIDDEN_DUE_TO_SECURITY_REASONS, additionalEventData.sub) and
 * https://docs.aws.amazon.com/eventbridge/latest/ref/events-structure.html (the envelope).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { buffer } from 'node:stream/consumers';
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { LOCAL_SDK_REGION, localClientConfig } from './local-clients.ts';
import { closeServer, loopbackUrl } from './servers.ts';

export const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';
const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';

/** Request fields Cognito never writes to CloudTrail in clear (credentials, codes, sessions, the username). */
const SECRET_FIELDS = new Set([
  'AuthParameters',
  'ChallengeResponses',
  'Session',
  'Username',
  'Password',
  'PreviousPassword',
  'ProposedPassword',
  'ConfirmationCode',
  'AccessToken',
  'RefreshToken',
  'SecretHash',
  'UserCode',
  'ClientSecret',
]);
/** Response fields hidden the same way. */
const SECRET_RESPONSE_FIELDS = new Set(['AccessToken', 'IdToken', 'RefreshToken', 'Session']);

/** Read-only calls (CloudTrail's readOnly): Get/List/Describe; sign-in calls change state and are not. */
const READ_ONLY = /^(Admin)?(Get|List|Describe)/;

export interface EventBridgeEnvelope {
  version: '0';
  id: string;
  'detail-type': 'AWS API Call via CloudTrail';
  source: 'aws.cognito-idp';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface CloudTrailRecorderOptions {
  /** cognito-local's endpoint: every request is forwarded there. */
  upstream: string;
  /** Delivers one event (throws or rejects on failure: the recorder retries). */
  deliver: (event: EventBridgeEnvelope) => Promise<void>;
  /** Only events this returns true for are delivered (the EventBridge rule's pattern); all by default. */
  matches?: (event: EventBridgeEnvelope) => boolean;
  account?: string;
  /** The region events say they come from; the local engines' region by default. */
  region?: string;
  /** Delivery attempts per event before it is kept as undelivered (EventBridge's retry policy). */
  maxAttempts?: number;
}

const camel = (key: string) => key.charAt(0).toLowerCase() + key.slice(1);

/** CloudTrail writes parameters in camelCase with secrets replaced by the marker (recursively). */
function cloudTrailParameters(value: unknown, secrets: Set<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => cloudTrailParameters(v, secrets));
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, v]) => [
      camel(key),
      secrets.has(key) ? HIDDEN : cloudTrailParameters(v, secrets),
    ]),
  );
}

/** The `sub` claim of a JWT Cognito issued (the recorder saw it pass; the signature is not its business). */
function subOfToken(token: unknown): string | undefined {
  if (typeof token !== 'string') return undefined;
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof payload.sub === 'string' ? payload.sub : undefined;
  } catch {
    return undefined;
  }
}

const stringOf = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

export class CloudTrailRecorder {
  /** Every event emitted, in order (delivered or not). */
  readonly events: EventBridgeEnvelope[] = [];
  /** Events whose every delivery attempt failed, with the last error. */
  readonly undelivered: { eventName: string; event?: EventBridgeEnvelope; error: string }[] = [];
  endpoint = '';
  private readonly inFlight = new Set<Promise<void>>();
  private readonly cognito: CognitoIdentityProviderClient;
  private readonly region: string;
  private readonly poolOfClient = new Map<string, string>();
  private poolsListed?: Promise<void>;
  private readonly subOfUser = new Map<string, string>();
  private readonly server = createServer((req, res) => {
    // In flight from the first byte: drain() also waits for a call still on its way to cognito-local.
    const handling = this.handle(req, res)
      .catch((error: Error) => {
        if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ __type: 'RecorderError', message: error.message }));
      })
      .finally(() => this.inFlight.delete(handling));
    this.inFlight.add(handling);
  });

  constructor(private readonly options: CloudTrailRecorderOptions) {
    this.region = options.region ?? LOCAL_SDK_REGION;
    // Looks users up in cognito-local directly (not through the proxy, so lookups are not recorded).
    this.cognito = new CognitoIdentityProviderClient({
      ...localClientConfig(options.upstream),
      region: this.region,
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.endpoint = loopbackUrl(this.server);
    return this;
  }

  /** Waits until every call received so far is answered and its event delivered or given up on. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
    await this.drain();
    this.cognito.destroy();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const sourceIp = clientAddress(req); // read now: the socket may be gone once the answer is sent
    const body = await buffer(req);
    const started = new Date();
    const upstream = await forward(this.options.upstream, req, body);
    res.writeHead(upstream.status, upstream.headers);
    res.end(upstream.body);
    const target = String(req.headers['x-amz-target'] ?? '');
    if (!target.startsWith(TARGET_PREFIX)) return; // not an API call (e.g. a health check)
    // Like CloudTrail, after the fact: the caller never waits for the record.
    const eventName = target.slice(TARGET_PREFIX.length);
    const emission = this.emit(req, sourceIp, eventName, body, upstream, started)
      .catch((error: Error) => {
        this.undelivered.push({ eventName, error: `the event could not be built: ${error.message}` });
      })
      .finally(() => this.inFlight.delete(emission));
    this.inFlight.add(emission);
  }

  private async emit(
    req: IncomingMessage,
    sourceIp: string,
    eventName: string,
    body: Buffer,
    upstream: { status: number; body: Buffer },
    time: Date,
  ): Promise<void> {
    const parameters = parseJson(body);
    const response = parseJson(upstream.body);
    const failed = upstream.status >= 400;
    let errorCode = failed
      ? String(response.__type ?? 'InternalErrorException').replace(/^.*#/, '')
      : undefined;
    let errorMessage = stringOf(response.message) ?? errorCode;
    // cognito-local answers a wrong password with InvalidPasswordException; Cognito answers and logs
    // NotAuthorizedException "Incorrect username or password." (the event is what AWS would write).
    if (errorCode === 'InvalidPasswordException' && /InitiateAuth$/.test(eventName)) {
      errorCode = 'NotAuthorizedException';
      errorMessage = 'Incorrect username or password.';
    }
    const account = this.options.account ?? '000000000000';
    const region = this.region;
    const eventTime = `${time.toISOString().slice(0, 19)}Z`;
    const signed = /^AWS4-HMAC-SHA256 Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''));
    const sub = await this.subOf(parameters, response);
    const event: EventBridgeEnvelope = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.cognito-idp',
      account,
      time: eventTime,
      region,
      resources: [],
      detail: {
        eventVersion: '1.09',
        // Public (unauthenticated) calls are anonymous; Admin* calls are signed by an IAM identity.
        userIdentity: signed
          ? {
              type: 'IAMUser',
              principalId: signed[1],
              arn: `arn:aws:iam::${account}:user/local`,
              accountId: account,
              accessKeyId: signed[1],
              userName: 'local',
            }
          : { type: 'Unknown', principalId: 'Anonymous' },
        eventTime,
        eventSource: 'cognito-idp.amazonaws.com',
        eventName,
        awsRegion: region,
        sourceIPAddress: sourceIp,
        userAgent: String(req.headers['user-agent'] ?? ''),
        ...(failed ? { errorCode, errorMessage } : {}),
        requestParameters: cloudTrailParameters(parameters, SECRET_FIELDS),
        responseElements: failed ? null : cloudTrailParameters(response, SECRET_RESPONSE_FIELDS),
        ...(sub ? { additionalEventData: { sub } } : {}),
        requestID: randomUUID(),
        eventID: randomUUID(),
        readOnly: READ_ONLY.test(eventName),
        eventType: 'AwsApiCall',
        managementEvent: true,
        recipientAccountId: account,
        eventCategory: 'Management',
      },
    };
    this.events.push(event);
    if (this.options.matches && !this.options.matches(event)) return;
    await this.deliver(event);
  }

  private async deliver(event: EventBridgeEnvelope): Promise<void> {
    const attempts = this.options.maxAttempts ?? 3;
    let lastError = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        await this.options.deliver(event);
        return;
      } catch (error) {
        lastError = (error as Error).message;
        if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
    this.undelivered.push({ eventName: String(event.detail.eventName), event, error: lastError });
  }

  /**
   * The user's sub, as CloudTrail's additionalEventData gives it when Cognito knows the user: from the
   * tokens of a successful sign-in, else by looking the named user up (none for an unknown user name).
   */
  private async subOf(parameters: Record<string, unknown>, response: Record<string, unknown>) {
    const result = response.AuthenticationResult as Record<string, unknown> | undefined;
    const fromToken = subOfToken(result?.IdToken) ?? subOfToken(result?.AccessToken);
    const username =
      stringOf(parameters.Username) ??
      stringOf((parameters.AuthParameters as Record<string, unknown> | undefined)?.USERNAME) ??
      stringOf((parameters.ChallengeResponses as Record<string, unknown> | undefined)?.USERNAME);
    const poolId = stringOf(parameters.UserPoolId) ?? (await this.poolOf(stringOf(parameters.ClientId)));
    const key = poolId && username ? `${poolId}/${username}` : undefined;
    if (fromToken) {
      if (key) this.subOfUser.set(key, fromToken);
      return fromToken;
    }
    if (!key || !poolId || !username) return undefined;
    const known = this.subOfUser.get(key);
    if (known) return known;
    try {
      const user = await this.cognito.send(
        new AdminGetUserCommand({ UserPoolId: poolId, Username: username }),
      );
      const sub = user.UserAttributes?.find((a) => a.Name === 'sub')?.Value;
      if (sub) this.subOfUser.set(key, sub);
      return sub;
    } catch {
      return undefined; // unknown user: CloudTrail has no sub either
    }
  }

  private async poolOf(clientId: string | undefined): Promise<string | undefined> {
    if (!clientId) return undefined;
    if (!this.poolOfClient.has(clientId)) {
      // One listing at a time: a burst of calls with a new client waits for the same one.
      this.poolsListed ??= this.listPools().finally(() => {
        this.poolsListed = undefined;
      });
      await this.poolsListed;
    }
    return this.poolOfClient.get(clientId);
  }

  private async listPools(): Promise<void> {
    const { UserPools = [] } = await this.cognito.send(new ListUserPoolsCommand({ MaxResults: 60 }));
    for (const pool of UserPools) {
      const { UserPoolClients = [] } = await this.cognito.send(
        new ListUserPoolClientsCommand({ UserPoolId: pool.Id, MaxResults: 60 }),
      );
      for (const c of UserPoolClients) if (c.ClientId) this.poolOfClient.set(c.ClientId, pool.Id as string);
    }
  }
}

/** The caller's address as CloudTrail's sourceIPAddress shows it (IPv4 without the ::ffff: prefix). */
function clientAddress(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}

function parseJson(body: Buffer): Record<string, unknown> {
  try {
    const value = JSON.parse(body.toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

function forward(
  upstream: string,
  req: IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
  const url = new URL(req.url ?? '/', upstream);
  return new Promise((resolve, reject) => {
    const out = request(
      url,
      { method: req.method, headers: { ...req.headers, host: url.host, 'content-length': body.length } },
      (res) => {
        buffer(res).then((data) => {
          const headers: Record<string, string | string[]> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined && name !== 'transfer-encoding' && name !== 'connection')
              headers[name] = value;
          }
          headers['content-length'] = String(data.length);
          resolve({ status: res.statusCode ?? 502, headers, body: data });
        }, reject);
      },
    );
    out.on('error', reject);
    out.end(body);
  });
}

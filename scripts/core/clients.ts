/**
 * THE one configuration of every command's AWS clients. A --region flag, a role session's credentials and the
 * retries mean the same in every command only if they are set in one place: each constructor takes
 * `clientConfig(…)` (a layout test refuses an inline config). It returns the object the SDK constructors take
 * and imports no SDK client package, so each command still loads only the SDKs it uses.
 */

/** Credentials of a role session (STS AssumeRole), as every SDK client takes them. */
export interface AwsCredentialIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export interface ClientOptions {
  /** A role session's credentials; without them the SDK's own chain (environment, profile, instance role). */
  credentials?: AwsCredentialIdentity;
  maxAttempts?: number;
  retryMode?: 'standard' | 'adaptive';
}

/** What the SDK client constructors take: only the keys that were given, so the SDK's defaults stay. */
export interface ClientConfig extends ClientOptions {
  region?: string;
}

/** A bulk read of a table: throttling is backed off and retried (adaptive mode also slows the client), not failed. */
export const BULK_READ_RETRIES = { maxAttempts: 10, retryMode: 'adaptive' } as const satisfies ClientOptions;

/** A status check that may give up (its answer is then "unknown" or "unreachable"): one retry, no long wait. */
export const CHECK_RETRIES = { maxAttempts: 2 } as const satisfies ClientOptions;

/**
 * The config of one client: `region` when given (otherwise the SDK's chain: AWS_REGION, the profile; never
 * `region: undefined`), and the options that were given.
 */
export function clientConfig(region: string | undefined, options: ClientOptions = {}): ClientConfig {
  const { credentials, maxAttempts, retryMode } = options;
  return {
    ...(region ? { region } : {}),
    ...(credentials ? { credentials } : {}),
    ...(maxAttempts !== undefined ? { maxAttempts } : {}),
    ...(retryMode ? { retryMode } : {}),
  };
}

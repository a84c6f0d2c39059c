/**
 * A realistic user pool, app client and users on a Cognito endpoint (cognito-local in the demo and the
 * end-to-end tests), and sign-ins the way an app does them: InitiateAuth USER_PASSWORD_AUTH, answering
 * a SOFTWARE_TOKEN_MFA challenge with a TOTP code when the user has MFA.
 */
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  AssociateSoftwareTokenCommand,
  type AttributeType,
  type AuthenticationResultType,
  type CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  type CreateUserPoolCommandInput,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { generateSync } from 'otplib';

/** Settings a production pool typically has, so attach/detach can be seen to keep them. */
export function realisticPoolInput(name: string): CreateUserPoolCommandInput {
  return {
    PoolName: name,
    // Users sign in with a username they choose (which may be their email address); `sub` stays the key.
    UsernameAttributes: [],
    Policies: {
      PasswordPolicy: {
        MinimumLength: 12,
        RequireUppercase: true,
        RequireLowercase: true,
        RequireNumbers: true,
        RequireSymbols: false,
        TemporaryPasswordValidityDays: 3,
      },
    },
    MfaConfiguration: 'OPTIONAL',
    AdminCreateUserConfig: {
      AllowAdminCreateUserOnly: true,
      InviteMessageTemplate: {
        EmailSubject: 'Your account',
        EmailMessage: 'Hello {username}, your temporary password is {####}.',
        SMSMessage: 'User {username}, code {####}',
      },
    },
    AutoVerifiedAttributes: ['email'],
    VerificationMessageTemplate: {
      DefaultEmailOption: 'CONFIRM_WITH_CODE',
      EmailSubject: 'Verify your email',
      EmailMessage: 'Your verification code is {####}.',
    },
    DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true },
    AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    DeletionProtection: 'ACTIVE',
    UserPoolTags: { team: 'identity', 'cost-center': '1234' },
    EmailConfiguration: {
      EmailSendingAccount: 'COGNITO_DEFAULT',
      ReplyToEmailAddress: 'support@example.com',
    },
  };
}

export async function createPoolWithClient(
  cognito: CognitoIdentityProviderClient,
  input: CreateUserPoolCommandInput,
) {
  const { UserPool } = await cognito.send(new CreateUserPoolCommand(input));
  if (!UserPool?.Id || !UserPool.Arn) throw new Error('CreateUserPool returned no pool');
  const { UserPoolClient } = await cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: UserPool.Id,
      ClientName: 'web-app',
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  if (!UserPoolClient?.ClientId) throw new Error('CreateUserPoolClient returned no client');
  return { poolId: UserPool.Id, poolArn: UserPool.Arn, clientId: UserPoolClient.ClientId };
}

export interface DemoUser {
  username: string;
  password: string;
  attributes: AttributeType[];
  /** Base32 TOTP secret once MFA is enabled. */
  totpSecret?: string;
}

export async function createUser(
  cognito: CognitoIdentityProviderClient,
  poolId: string,
  username: string,
  password: string,
  attributes: Record<string, string> = {},
): Promise<DemoUser & { sub: string }> {
  const created = await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: username,
      MessageAction: 'SUPPRESS',
      UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
    }),
  );
  await cognito.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: poolId,
      Username: username,
      Password: password,
      Permanent: true,
    }),
  );
  const sub = created.User?.Attributes?.find((a) => a.Name === 'sub')?.Value;
  if (!sub) throw new Error(`AdminCreateUser returned no sub for ${username}`);
  return { username, password, attributes: created.User?.Attributes ?? [], sub };
}

/** InitiateAuth with a user name and password, as an app sends it; what the answer means is the caller's. */
export function initiatePasswordAuth(
  cognito: CognitoIdentityProviderClient,
  clientId: string,
  username: string,
  password: string,
) {
  return cognito.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: clientId,
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );
}

/** Signs in once with a password and returns the tokens, answering a TOTP challenge if one comes. */
export async function signIn(
  cognito: CognitoIdentityProviderClient,
  clientId: string,
  user: DemoUser,
): Promise<AuthenticationResultType> {
  const first = await initiatePasswordAuth(cognito, clientId, user.username, user.password);
  if (first.AuthenticationResult) return first.AuthenticationResult;
  if (first.ChallengeName === 'SOFTWARE_TOKEN_MFA' && user.totpSecret) {
    const answer = await cognito.send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: 'SOFTWARE_TOKEN_MFA',
        Session: first.Session,
        ChallengeResponses: { USERNAME: user.username, SOFTWARE_TOKEN_MFA_CODE: totpCode(user.totpSecret) },
      }),
    );
    if (answer.AuthenticationResult) return answer.AuthenticationResult;
  }
  throw new Error(`sign-in of ${user.username} stopped at challenge ${first.ChallengeName ?? '(none)'}`);
}

/** Registers an authenticator app (TOTP) for the user and makes it their MFA method. */
export async function enableTotpMfa(
  cognito: CognitoIdentityProviderClient,
  clientId: string,
  user: DemoUser,
) {
  const { AccessToken } = await signIn(cognito, clientId, user);
  const { SecretCode } = await cognito.send(new AssociateSoftwareTokenCommand({ AccessToken }));
  if (!SecretCode) throw new Error('AssociateSoftwareToken returned no secret');
  await cognito.send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: totpCode(SecretCode) }));
  await cognito.send(
    new SetUserMFAPreferenceCommand({
      AccessToken,
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
    }),
  );
  user.totpSecret = SecretCode;
}

/** The current code of an authenticator app (RFC 6238: SHA-1, 6 digits, 30 s), as Cognito expects it. */
export function totpCode(secretBase32: string): string {
  return generateSync({ secret: secretBase32, algorithm: 'sha1', digits: 6, period: 30 });
}

/**
 * A sign-in that fails the way users' do: a wrong password, or (for a user with MFA) the right password
 * and a wrong authenticator code. Returns the error Cognito answered with.
 */
export async function failedSignIn(
  cognito: CognitoIdentityProviderClient,
  clientId: string,
  user: DemoUser,
  mistake: 'wrong password' | 'wrong MFA code',
): Promise<string> {
  try {
    const password = mistake === 'wrong password' ? `${user.password}-typo` : user.password;
    const first = await initiatePasswordAuth(cognito, clientId, user.username, password);
    if (mistake === 'wrong MFA code' && first.ChallengeName === 'SOFTWARE_TOKEN_MFA' && user.totpSecret) {
      const code = totpCode(user.totpSecret);
      // Another first digit: never the current code, nor (but for 1 in 10^5) a neighbouring window's.
      const wrong = `${(Number(code[0]) + 5) % 10}${code.slice(1)}`;
      await cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session: first.Session,
          ChallengeResponses: { USERNAME: user.username, SOFTWARE_TOKEN_MFA_CODE: wrong },
        }),
      );
    }
  } catch (error) {
    return (error as Error).name;
  }
  throw new Error(`the ${mistake} of ${user.username} was accepted`);
}

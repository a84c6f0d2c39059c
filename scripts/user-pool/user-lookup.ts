/** The `sub` of a user named by username (AdminGetUser) or by email (ListUsers), with errors that say why. */
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CommandError, translateNotFound, UsageError } from '../core/cli.ts';
import { clientConfig } from '../core/clients.ts';

export async function lookUpSub(
  values: Record<string, unknown>,
  region: string | undefined,
): Promise<string> {
  const poolId = values['user-pool-id'] as string | undefined;
  if (!poolId) throw new UsageError('--username and --email need --user-pool-id');
  const cognito = new CognitoIdentityProviderClient(clientConfig(region));
  try {
    if (values.username) {
      const user = await cognito.send(
        new AdminGetUserCommand({ UserPoolId: poolId, Username: String(values.username) }),
      );
      const sub = user.UserAttributes?.find((a) => a.Name === 'sub')?.Value;
      if (!sub) throw new CommandError(`user ${values.username} has no sub attribute`);
      return sub;
    }
    const email = String(values.email).replace(/"/g, '');
    const { Users = [] } = await cognito.send(
      new ListUsersCommand({ UserPoolId: poolId, Filter: `email = "${email}"`, Limit: 2 }),
    );
    if (Users.length === 0) throw new CommandError(`no user with email ${email} in ${poolId}`);
    if (Users.length > 1)
      throw new CommandError(`several users have email ${email}; use --username or --sub`);
    const sub = Users[0]?.Attributes?.find((a) => a.Name === 'sub')?.Value;
    if (!sub) throw new CommandError(`the user with email ${email} has no sub attribute`);
    return sub;
  } catch (error) {
    if (error instanceof CommandError) throw error;
    const name = (error as Error).name;
    if (name === 'UserNotFoundException') throw new CommandError(`no user ${values.username} in ${poolId}`);
    throw translateNotFound(error, `user pool ${poolId}`, '--user-pool-id');
  } finally {
    cognito.destroy();
  }
}

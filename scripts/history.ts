/** `npm run history`: read the login history of a user or of a day, newest first. */
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CommandError, parseOptions, requireOne, runCli, UsageError } from './ops/cli.ts';
import { createReader, type HistoryItem, historyOfDay, historyOfUser } from './ops/history-query.ts';
import { readStackIn } from './ops/stack.ts';

const USAGE = `usage: npm run history -- (--sub <sub> | --username <name> --user-pool-id <id> |
                       --email <email> --user-pool-id <id> | --date <YYYY-MM-DD>)
                       (--table-name <table> [--shards N] | --stack-name <stack>)
                       [--limit N] [--json] [--region <region>]

Newest first. --email and --username look the sub up in the pool; --date reads every shard of the
day index. --stack-name reads the table and the shard count from the stack.`;

async function resolveTable(values: Record<string, unknown>, region: string | undefined) {
  if (values['table-name'])
    return { table: String(values['table-name']), shards: Number(values.shards ?? 1) };
  const stack = await readStackIn(region, String(values['stack-name']));
  return { table: stack.output('TableName'), shards: Number(stack.parameter('DayIndexShards') ?? 1) };
}

async function subOf(values: Record<string, unknown>, region: string | undefined): Promise<string> {
  const poolId = values['user-pool-id'] as string | undefined;
  if (!poolId) throw new UsageError('--username and --email need --user-pool-id');
  const cognito = new CognitoIdentityProviderClient(region ? { region } : {});
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
    if (name === 'ResourceNotFoundException') throw new CommandError(`user pool ${poolId} does not exist`);
    throw new CommandError(`cannot look the user up: ${name}: ${(error as Error).message}`);
  } finally {
    cognito.destroy();
  }
}

function printTable(items: HistoryItem[]): void {
  const rows = items.map((i) => [
    i.signedInAt,
    String(i.userName ?? i.sub),
    String(i.clientId ?? '-'),
    i.newDeviceUsed === undefined ? '-' : i.newDeviceUsed ? 'yes' : 'no',
    i.sub,
  ]);
  const header = ['signed in (UTC)', 'user', 'app client', 'new device', 'sub'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => cell.padEnd(widths[c] as number))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
}

await runCli(USAGE, async () => {
  const values = parseOptions(process.argv.slice(2), {
    sub: { type: 'string' },
    username: { type: 'string' },
    email: { type: 'string' },
    date: { type: 'string' },
    'user-pool-id': { type: 'string' },
    'table-name': { type: 'string' },
    'stack-name': { type: 'string' },
    shards: { type: 'string' },
    limit: { type: 'string', default: '50' },
    json: { type: 'boolean', default: false },
    region: { type: 'string' },
  });
  const by = requireOne(values, ['sub', 'username', 'email', 'date']);
  requireOne(values, ['table-name', 'stack-name']);
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    throw new UsageError('--limit must be 1 to 10000');
  if (values.shards !== undefined && !/^([1-9]\d?|100)$/.test(values.shards)) {
    throw new UsageError('--shards must be 1 to 100 (the stack parameter DayIndexShards)');
  }
  if (by === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(String(values.date))) {
    throw new UsageError('--date must be YYYY-MM-DD (UTC)');
  }

  const { table, shards } = await resolveTable(values, values.region);
  const reader = createReader(values.region);
  let items: HistoryItem[];
  try {
    items =
      by === 'date'
        ? await historyOfDay(reader, table, String(values.date), shards, limit)
        : await historyOfUser(
            reader,
            table,
            by === 'sub' ? String(values.sub) : await subOf(values, values.region),
            limit,
          );
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') {
      throw new CommandError(
        `table ${table} does not exist (check --table-name / --stack-name and --region)`,
      );
    }
    if (by === 'date' && /specified index/i.test((error as Error).message)) {
      throw new CommandError(
        `table ${table} has no byDay index (deployed with DayIndex=disabled); --date needs it`,
      );
    }
    throw error;
  } finally {
    reader.destroy();
  }

  if (values.json) {
    console.log(JSON.stringify(items, null, 2));
  } else if (items.length === 0) {
    console.log('No sign-ins found.');
  } else {
    printTable(items);
  }
  return 0;
});

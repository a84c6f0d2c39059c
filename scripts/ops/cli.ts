/** Shared command-line plumbing: argument parsing with clear usage errors, and exit codes 0 / 1 / 2. */
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** Exit 2: the command line itself is wrong. */
export class UsageError extends Error {}
/** Exit 1: refused or failed; the message says what to do next. */
export class CommandError extends Error {}

export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export async function runCli(usage: string, main: () => Promise<number | undefined>): Promise<never> {
  try {
    process.exit((await main()) ?? 0);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}\n\n${usage}`);
      process.exit(2);
    }
    const err = error as Error;
    const prefix = error instanceof CommandError ? '' : `${err.name}: `;
    console.error(`error: ${prefix}${err.message}`);
    process.exit(1);
  }
}

/** Region of a user pool id (`<region>_<suffix>`), so --region is optional. */
export function regionOfUserPoolId(userPoolId: string): string | undefined {
  return /^([a-z0-9-]+)_[0-9a-zA-Z]+$/.exec(userPoolId)?.[1];
}

export function requireOne(values: Record<string, unknown>, names: string[]): string {
  const given = names.filter((name) => values[name] !== undefined);
  if (given.length !== 1)
    throw new UsageError(`give exactly one of ${names.map((n) => `--${n}`).join(', ')}`);
  return given[0] as string;
}

/** `--user-pool-id` (required) and `--region` (defaults to the pool id's region prefix). */
export function poolAndRegion(values: { 'user-pool-id'?: string; region?: string }) {
  const userPoolId = values['user-pool-id'];
  if (!userPoolId) throw new UsageError('--user-pool-id is required');
  const region = values.region ?? regionOfUserPoolId(userPoolId);
  if (!region) throw new UsageError(`cannot tell the region from "${userPoolId}"; pass --region`);
  return { userPoolId, region };
}

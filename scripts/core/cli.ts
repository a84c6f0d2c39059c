/**
 * Shared command-line plumbing: argument parsing with clear usage errors, exit codes 0 / 1 / 2, and errors in
 * words: one line that says what went wrong with which file, table or resource, never Node's or the SDK's
 * raw message alone.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Exit 2: the command line itself is wrong. */
export class UsageError extends Error {}
/** Exit 1: refused or failed; the message says what to do next. */
export class CommandError extends Error {}

/**
 * The options of a command line, strictly: an unknown option, a missing value or an empty one
 * (`--region ""`) is a usage error. `--help` never reaches here: runCli answers it first.
 */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  options: T,
) {
  let values: ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: true }>>['values'];
  try {
    values = parseArgs({ args: [...argv], options, allowPositionals: false, strict: true }).values;
  } catch {
    throw new UsageError(commandLineProblem(argv, options) ?? 'the command line cannot be read');
  }
  for (const [name, value] of Object.entries(values)) {
    if (value === '') throw new UsageError(`--${name} needs a value; it was given an empty one`);
  }
  return values;
}

/**
 * What is wrong with a command line parseArgs refused, in our words and naming the argument (Node's own text
 * reads "Option '--sub' argument is ambiguous. Did you forget…"): the first token that breaks the rules.
 */
function commandLineProblem(
  argv: readonly string[],
  options: NonNullable<ParseArgsConfig['options']>,
): string | undefined {
  const { tokens } = parseArgs({
    args: [...argv],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind === 'positional') {
      return `unexpected argument "${token.value}": every value follows the option it belongs to (--name value)`;
    }
    if (token.kind !== 'option') continue;
    const option = options[token.name];
    if (!option) return `unknown option ${token.rawName}`;
    const name = `--${token.name}`;
    if (option.type === 'boolean' && token.value !== undefined) {
      return `${name} takes no value; it was given "${token.value}"`;
    }
    if (option.type === 'string' && token.value === undefined) return `${name} needs a value`;
    if (option.type === 'string' && !token.inlineValue && token.value?.startsWith('-')) {
      return `${name} needs a value; it is followed by ${token.value} (write ${name}=${token.value} if that is the value)`;
    }
  }
  return undefined;
}

/** `--help` or `-h` among the options (not as the value of another, nor after `--`). */
export function asksForHelp(argv: readonly string[]): boolean {
  const { tokens } = parseArgs({ args: [...argv], strict: false, allowPositionals: true, tokens: true });
  return tokens.some((token) => token.kind === 'option' && (token.name === 'help' || token.name === 'h'));
}

/**
 * Refuses the options given that the chosen mode does not use: silently ignoring one would hide a mistake
 * (`--concurrency` with `--date` reads as if it did something). `appliesTo` names, per option, the modes
 * that use it; options it does not name apply to every mode.
 */
export function refuseOptionsOutsideMode(
  values: Record<string, unknown>,
  mode: string,
  appliesTo: Record<string, readonly string[]>,
): void {
  for (const [option, modes] of Object.entries(appliesTo)) {
    const given = values[option] !== undefined && values[option] !== false;
    if (given && !modes.includes(mode)) {
      throw new UsageError(
        `--${option} does not apply to --${mode}; it goes with ${modes.map((m) => `--${m}`).join(', ')}`,
      );
    }
  }
}

/**
 * Exits once everything written to stdout and stderr has reached the OS: a piped stdout is written
 * asynchronously, and a bare process.exit() would cut the end off a long export (`| gzip`, `| tee`).
 */
async function exitAfterFlush(code: number): Promise<never> {
  const flushed = (stream: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => {
      stream.write('', () => resolve());
    });
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

/**
 * Runs a command's main and exits 0 / 1 / 2 (see the classes above). `--help` anywhere on the command line
 * prints the usage on stdout and exits 0 before main runs, so asking for help never does anything else.
 */
export async function runCli(
  usage: string,
  main: () => Promise<number | undefined>,
  argv: readonly string[] = process.argv.slice(2),
): Promise<never> {
  if (asksForHelp(argv)) {
    console.log(usage);
    return exitAfterFlush(0);
  }
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    // The reader went away (`| head`): stop, quietly, as Unix tools do; never Node's "Error: write EPIPE".
    if (error.code === 'EPIPE') process.exit(0);
    console.error(`error: cannot write the output: ${fileProblem(error)}`);
    process.exit(1);
  });
  let code: number;
  try {
    code = (await main()) ?? 0;
  } catch (error) {
    if (error instanceof UsageError) {
      // One line and where the usage is: the whole usage (27 lines for history) buries the error.
      console.error(`error: ${error.message}\n${helpPointer(usage)}`);
      code = 2;
    } else {
      console.error(`error: ${errorSentence(error)}`);
      code = 1;
    }
  }
  return exitAfterFlush(code);
}

/**
 * The one line an error becomes when nothing closer to it translated it: a CommandError's own words; the
 * SDK's setup and network errors as what to do (explainAwsError); a file-system error naming its path
 * (fileErrorSentence); an AWS error naming the table it was about (namingTables); anything else by its name.
 */
export function errorSentence(error: unknown): string {
  const err = error as Error & { resource?: string };
  if (error instanceof CommandError) return err.message;
  const explained = explainAwsError(err) ?? fileErrorSentence(err);
  if (explained) return explained;
  if (err.resource) {
    return err.name === 'ResourceNotFoundException'
      ? `${err.resource} does not exist (check its name and --region)`
      : `${err.resource}: ${err.name}: ${err.message}`;
  }
  return `${err.name}: ${err.message}`;
}

/** `Run "npm run history -- --help" for the usage.`, from the usage's own first line (`npm test` too). */
export function helpPointer(usage: string): string {
  const match = /^usage: npm (?:run (?:-s |--silent )?([\w:-]+)|(test)\b)/.exec(usage);
  const command = match?.[1] ? `run ${match[1]}` : match?.[2];
  return command
    ? `Run "npm ${command} -- --help" for the usage.`
    : 'Run the command with --help for the usage.';
}

/**
 * What to do about the errors the SDK raises before or instead of an answer (no region, no or expired
 * credentials, no network), in place of its bare message. Undefined for anything else.
 */
export function explainAwsError(error: Error): string | undefined {
  const name = error.name;
  const message = error.message ?? '';
  if (/region is missing/i.test(message)) {
    return 'no AWS region: pass --region, or set AWS_REGION (or a region in your AWS profile)';
  }
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return 'no AWS credentials found: sign in (aws sso login, or aws configure) or set AWS_PROFILE; CloudShell has them already';
  }
  if (/^(ExpiredToken|ExpiredTokenException|RequestExpired)$/.test(name) || /token.*expired/i.test(message)) {
    return 'your AWS credentials have expired: sign in again (aws sso login) and retry';
  }
  if (/^(UnrecognizedClientException|InvalidSignatureException|InvalidClientTokenId)$/.test(name)) {
    return `AWS did not accept these credentials (${name}): check AWS_PROFILE and the keys in use`;
  }
  if (isAccessDenied(error)) {
    return `access denied: ${message} — the identity running this needs the permission it names (README lists each command's)`;
  }
  const problem = networkProblem(error);
  if (problem) {
    const where = endpointOf(error);
    return `cannot reach the AWS endpoint${where ? ` ${where}` : ''}: ${problem}; a network or endpoint problem, not a wrong name: check the network, --region and any AWS_ENDPOINT_URL_* variable`;
  }
  return undefined;
}

/** AWS refused the caller the action (the error names AWS give it, per service). */
export function isAccessDenied(error: unknown): boolean {
  return /^(AccessDeniedException|AccessDenied|NotAuthorizedException)$/.test(
    (error as Error | undefined)?.name ?? '',
  );
}

/** The network errors Node raises under the SDK, in words (its own text is `connect ECONNREFUSED 127.0.0.1:9`). */
const NETWORK_PROBLEMS: Readonly<Record<string, string>> = {
  ENOTFOUND: 'its name does not resolve',
  EAI_AGAIN: 'its name could not be looked up (DNS did not answer)',
  ECONNREFUSED: 'nothing accepts connections there',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'the connection timed out',
};

/** What kept a call from reaching its endpoint (a Node network error under the SDK), in words; else undefined. */
function networkProblem(error: unknown): string | undefined {
  const e = error as (Error & { code?: string }) | undefined;
  const code = e?.code ?? (e?.cause as { code?: string } | undefined)?.code;
  return code && Object.hasOwn(NETWORK_PROBLEMS, code) ? NETWORK_PROBLEMS[code] : undefined;
}

/** The call never reached AWS: a network or endpoint problem, not one of permissions or names. */
export const isNetworkError = (error: unknown): boolean => networkProblem(error) !== undefined;

/**
 * The endpoint a network error was about: the AWS_ENDPOINT_URL_* that points there when one does (which
 * variable to fix), else the host (and port) Node reports.
 */
function endpointOf(error: Error): string | undefined {
  const cause = (error.cause ?? {}) as { hostname?: string; address?: string; port?: number };
  const { hostname, address, port } = { ...cause, ...(error as typeof cause) };
  const host = hostname ?? address;
  if (!host) return undefined;
  const loopback = /^(127\.|::1$)/.test(host);
  const set = Object.entries(process.env).filter(([variable, value]) => {
    if (!variable.startsWith('AWS_ENDPOINT_URL') || !value || !URL.canParse(value)) return false;
    const url = new URL(value);
    const urlHost = url.hostname.replace(/^\[|\]$/g, '');
    const urlPort = Number(url.port || (url.protocol === 'http:' ? 80 : 443));
    return (
      (urlHost === host || (urlHost === 'localhost' && loopback)) && (port === undefined || port === urlPort)
    );
  });
  if (set[0]) return `${set[0][1]} (${set.map(([variable]) => variable).join(' or ')})`;
  return port === undefined ? host : `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * The AWS errors that name a missing resource (a table, a log group, a user pool), in words that say which
 * one and what to check; any other error is returned as it is.
 */
export function translateNotFound(error: unknown, what: string, check: string): unknown {
  if ((error as Error | undefined)?.name !== 'ResourceNotFoundException') return error;
  return new CommandError(`${what} does not exist (check ${check} and --region)`);
}

/** What a file-system error code means, in words (Node's own text is `ENOTDIR: not a directory, mkdir '…'`). */
export function fileProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'ENOTDIR':
      return 'a part of its path is a file, not a folder';
    case 'EISDIR':
      return 'it is a folder, not a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EEXIST':
      return 'it already exists';
    case 'ENOTEMPTY':
      return 'the folder is not empty';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'no space left on the device';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENAMETOOLONG':
      return 'the name is too long';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many files are open';
    case 'EIO':
      return 'the device reported an input/output error';
    default:
      return `the file system refused it (${code ?? 'unknown error'})`;
  }
}

/** What a file-system call was doing, by its syscall: "cannot <verb> <path>". */
const FILE_VERBS: Record<string, string> = {
  open: 'open',
  read: 'read',
  write: 'write',
  close: 'write',
  mkdir: 'create the folder',
  mkdtemp: 'create a folder in',
  scandir: 'read the folder',
  opendir: 'read the folder',
  stat: 'read',
  lstat: 'read',
  access: 'read',
  unlink: 'remove',
  rmdir: 'remove the folder',
  rm: 'remove',
  rename: 'rename',
  copyfile: 'copy',
  fsync: 'write',
};

/**
 * A file-system error (it carries Node's code and syscall) as one sentence naming its path; undefined for
 * anything else (network errors carry a code too, but no file syscall).
 */
export function fileErrorSentence(error: unknown): string | undefined {
  const e = error as (NodeJS.ErrnoException & { dest?: string }) | undefined;
  if (typeof e?.code !== 'string' || typeof e.syscall !== 'string' || !(e.syscall in FILE_VERBS))
    return undefined;
  const what = e.path ? `${FILE_VERBS[e.syscall]} ${e.path}` : `${FILE_VERBS[e.syscall]} a file`;
  const dest = e.dest ? ` to ${e.dest}` : '';
  return `cannot ${what}${dest}: ${fileProblem(e)}`;
}

/** A file an option names, checked before use so that the error is in words, not EISDIR or ENOENT. */
export function readableFile(option: string, path: string): string {
  let problem: string | undefined;
  try {
    if (statSync(path).isDirectory()) problem = 'is a folder, not a file';
    else accessSync(path, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problem =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES' || code === 'EPERM'
          ? 'cannot be read: permission denied'
          : `cannot be read: ${fileProblem(error)}`;
  }
  if (problem) throw new CommandError(`--${option} ${path} ${problem}`);
  return path;
}

/**
 * Every error of this DynamoDB client (and of a document client made from it, which shares its middleware)
 * names the table it was about (`resource`, read by errorSentence and the commands' own translations), so
 * that an error no command translated still says which table: "table x does not exist", not "Requested
 * resource not found".
 */
export function namingTables<C extends DynamoDBClient>(client: C): C {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const table = (args.input as { TableName?: string }).TableName;
        if (table && error instanceof Error && !('resource' in error)) {
          Object.assign(error, { resource: `table ${table}` });
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'namingTables' },
  );
  return client;
}

/** An optional whole-number flag from 1 to `max`; undefined when it was not given. */
export function positiveInteger(name: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(value) || Number(value) > max) throw new UsageError(`--${name} must be 1 to ${max}`);
  return Number(value);
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

/** Progress on stderr when it is a terminal (`label done/total`, redrawn at most 10 times a second). */
export function terminalProgress(label: string): { update(done: number, total?: number): void; end(): void } {
  if (!process.stderr.isTTY) return { update: () => undefined, end: () => undefined };
  let last = 0;
  let shown = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 100 && done !== total) return;
      last = now;
      shown = true;
      process.stderr.write(`\r${label} ${done}${total === undefined ? '' : `/${total}`}\u001b[K`);
    },
    end() {
      if (shown) process.stderr.write('\r\u001b[K');
    },
  };
}

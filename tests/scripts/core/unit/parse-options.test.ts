/**
 * A command line parseArgs refuses becomes a usage error in our words, naming the argument: never Node's text
 * ("Option '--sub' argument is ambiguous. Did you forget to specify…", "Unexpected argument 'x'. This command
 * does not take positional arguments").
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseOptions, UsageError } from '../../../../scripts/core/cli.ts';

const OPTIONS = {
  sub: { type: 'string' },
  region: { type: 'string', short: 'r' },
  yes: { type: 'boolean', default: false },
} as const;

const refusal = (argv: string[]): string => {
  try {
    parseOptions(argv, OPTIONS);
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    return error.message;
  }
  return assert.fail(`${argv.join(' ')} was accepted`);
};

describe('parseOptions words what parseArgs refuses', () => {
  it('each refusal names the argument, in one line of our own', () => {
    const cases: [string[], string][] = [
      // ERR_PARSE_ARGS_UNKNOWN_OPTION
      [['--no-such-option'], 'unknown option --no-such-option'],
      [['--sub', 'x', '-x'], 'unknown option -x'],
      // ERR_PARSE_ARGS_INVALID_OPTION_VALUE: no value, a value that looks like the next option, a flag with one
      [['--sub'], '--sub needs a value'],
      [['-r'], '--region needs a value'],
      [
        ['--sub', '--yes'],
        '--sub needs a value; it is followed by --yes (write --sub=--yes if that is the value)',
      ],
      [['--yes=no'], '--yes takes no value; it was given "no"'],
      // ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL
      [['alice'], 'unexpected argument "alice": every value follows the option it belongs to (--name value)'],
      [
        ['--sub', 'x', '--', '--yes'],
        'unexpected argument "--yes": every value follows the option it belongs to (--name value)',
      ],
      // Ours: an empty value
      [['--region', ''], '--region needs a value; it was given an empty one'],
    ];
    for (const [argv, message] of cases) assert.equal(refusal(argv), message, argv.join(' '));
  });

  it('accepts what is right, a value with a dash written inline included', () => {
    assert.deepEqual(
      { ...parseOptions(['--sub=-odd', '-r', 'eu-west-1', '--yes'], OPTIONS) },
      { sub: '-odd', region: 'eu-west-1', yes: true },
    );
  });
});

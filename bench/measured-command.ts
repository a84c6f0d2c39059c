/**
 * One of our npm commands run as a user runs it, in its own process, timed, with its peak memory: every Node
 * process it starts preloads report-rss.mjs through NODE_OPTIONS, and the peaks reported at exit are summed.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { entryOf } from '../dev/build/commands.ts';
import { PROJECT_ROOT } from '../dev/build/template.ts';
import { LOCAL_CREDENTIALS_ENV } from '../dev/local-stack/local-clients.ts';

export interface MeasuredRun {
  seconds: number;
  stdout: string;
  bytes: number;
  /** Sum of the peak RSS of every Node process of the command. */
  peakRssMb: number;
  /** CPU time (user + system) of every Node process of the command: what a busy machine does not inflate. */
  cpuSeconds: number;
  processes: number;
}

export function runMeasured(
  command: string,
  args: string[],
  env: Record<string, string>,
  nodeOptions = '',
): Promise<MeasuredRun> {
  return runMeasuredScript(entryOf(command), args, env, nodeOptions);
}

/** The same for a script of the bench's own (a path from the project root). */
export function runMeasuredScript(
  script: string,
  args: string[],
  env: Record<string, string>,
  nodeOptions = '',
): Promise<MeasuredRun> {
  const command = script;
  const preload = `--import ${pathToFileURL(join(PROJECT_ROOT, 'bench', 'report-rss.mjs')).href}`;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    execFile(
      process.execPath,
      ['--import', 'tsx', script, ...args],
      {
        cwd: PROJECT_ROOT,
        env: {
          PATH: process.env.PATH,
          ...LOCAL_CREDENTIALS_ENV,
          ...env,
          NODE_OPTIONS: `${preload} ${nodeOptions}`.trim(),
        },
        maxBuffer: 2 ** 30,
      },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${command} ${args.join(' ')}: ${stdout}${stderr}`));
        const peaks = [...stderr.matchAll(/BENCH_MAX_RSS_KB=(\d+)/g)].map((m) => Number(m[1]));
        const cpuMs = [...stderr.matchAll(/BENCH_CPU_MS=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
        resolve({
          seconds: (performance.now() - started) / 1000,
          stdout,
          bytes: Buffer.byteLength(stdout),
          peakRssMb: Math.round(peaks.reduce((a, b) => a + b, 0) / 102.4) / 10,
          cpuSeconds: Math.round(cpuMs / 100) / 10,
          processes: peaks.length,
        });
      },
    );
  });
}

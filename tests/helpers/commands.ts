import { execFile } from 'node:child_process';
import { entryOf } from '../../dev/build/commands.ts';
import { PROJECT_ROOT } from '../../dev/build/template.ts';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** One of our commands (`npm run <command>`) run as a user runs it, from the project root with `env`. */
export function runCommand(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', entryOf(command), ...args],
      { cwd: PROJECT_ROOT, env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * A command's whole output reaches a slow pipe: runCli exits only after stdout is flushed. (A bare
 * process.exit() cut the last ~50 KB off a 100,000-row export read by a busy parent.)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../../../../dev/build/template.ts';

describe('runCli', () => {
  it('delivers all of stdout to a reader that starts late, then exits with the code', async () => {
    const bytes = 4 * 2 ** 20;
    const cli = pathToFileURL(join(PROJECT_ROOT, 'scripts', 'core', 'cli.ts')).href;
    const script = `import('${cli}').then(({ runCli }) => runCli('', async () => {
      process.stdout.write('x'.repeat(${bytes}));
      return 3;
    }));`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.pause();
    await sleep(1000); // the pipe fills; the child has asked to exit long before we read
    let received = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 3);
    assert.equal(received, bytes);
  });

  it('stops quietly, exit 0, when the reader goes away (| head): no "Error: write EPIPE"', async () => {
    const cli = pathToFileURL(join(PROJECT_ROOT, 'scripts', 'core', 'cli.ts')).href;
    const script = `import('${cli}').then(({ runCli }) => runCli('', async () => {
      for (let i = 0; ; i++) {
        if (!process.stdout.write(\`line \${i}\\n\`)) await new Promise((r) => process.stdout.once('drain', r));
      }
    }));`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(stderr, '');
    assert.equal(code, 0);
  });
});

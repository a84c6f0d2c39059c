/**
 * The guards around the servers tests start: a process-end watchdog that never signals a pid its child gave
 * up (pids wrap at 32,768 on CI machines, and a test's moto server was once ended by another test's cleanup),
 * and moto's stop(), which returns for a server ended by a signal instead of waiting for an exit already past.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { missingToolNotice, TOOLS } from '../../../../dev/build/toolchain.ts';
import { startMoto } from '../../../../dev/local-stack/moto.ts';
import { watchdog } from '../../../../dev/local-stack/servers.ts';
import { skipBecause } from '../../../helpers/skip.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A process standing in for whatever the system gave the ended child's pid to. */
function bystander(): ChildProcess {
  return spawn('sleep', ['60'], { stdio: 'ignore' });
}

describe('watchdog', () => {
  it('never signals the pid of a child that has ended (it may belong to another process by then)', async () => {
    const other = bystander();
    try {
      // The ended child, whose pid the system has handed on to `other`.
      const ended = { pid: other.pid, exitCode: 0, signalCode: null } as unknown as ChildProcess;
      await watchdog(ended).release();
      assert.equal(alive(other.pid as number), true, 'the process now holding that pid runs on');
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('ends a child that still runs, and waits for it, when released', async () => {
    const child = bystander();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await watchdog(child).release();
    assert.equal(await exited, null, 'ended by a signal');
    assert.equal(child.signalCode, 'SIGTERM');
  });
});

describe('moto stop()', () => {
  it('returns for a server that a signal ended', { timeout: 20_000 }, async (t) => {
    const moto = await startMoto();
    if (!moto) return void skipBecause(t, missingToolNotice(TOOLS.moto));
    // Another process's cleanup ends it, not stop().
    process.kill(moto.pid, 'SIGKILL');
    while (alive(moto.pid)) await new Promise((r) => setTimeout(r, 50));
    await moto.stop(); // it used to wait for an 'exit' already past: this test timed out
  });
});

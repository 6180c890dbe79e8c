import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BRIDGE_ENV_VARIABLES } from '@app/config';
import { lines, runCli } from './support/cli';
import { waitFor } from './support/stack';

const ROOT = join(__dirname, '..');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function accepts(hostPort: string): Promise<boolean> {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(port) });
    socket.setTimeout(2000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

/** The numbers of the last plain summary line: `name=N` pairs after `label`. */
function lastCounts(out: string, label: string): Record<string, number> {
  const lines = out.split('\n').filter((l) => l.startsWith('local: [') && l.includes(` ${label} `));
  const part =
    lines
      .at(-1)
      ?.split(' | ')
      .find((p) => p.startsWith(`${label} `)) ?? '';
  return Object.fromEntries([...part.matchAll(/(\w[\w-]*)=(\d+)/g)].map(([, k, v]) => [k, Number(v)]));
}

// `npm run local` on a machine with nothing running: it starts its own broker (KAFKA_BROKERS is
// unset for it), the emulator and the bridge, and Ctrl-C leaves nothing behind.
describe('npm run local', () => {
  let proc: ChildProcess | undefined;
  let out = '';
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bridge-local-'));
  });

  afterAll(() => {
    // a failed test must not leave it running: its broker and bridge follow it when it dies
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers to all three emulated APIs and the DLQ, then stops cleanly on SIGINT', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, LOCAL_BRIDGE_LOG: join(dir, 'bridge.log') };
    for (const name of [...BRIDGE_ENV_VARIABLES, 'BRIDGE_TEST_OWN_BROKER', 'LOCAL_EXIT_AFTER_MS']) delete env[name];
    // the command of `npm run local`, without npm in between
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'scripts/local.ts'],
      { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    proc = child;
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | string>((resolve) =>
      child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
    );
    let exitCode: number | string | undefined;
    void exited.then((c) => (exitCode = c));
    const context = () => `exit ${exitCode ?? 'not yet'}; output so far:\n${out.slice(-6000)}`;

    // start-up: the broker (~10 s), then the bridge from source; slow on a loaded machine
    const started = Date.now();
    await waitFor('the pids line', () => exitCode !== undefined || /bridge pid \d+/.test(out), 120_000).catch(
      (err: Error) => Promise.reject(new Error(`${err.message}; ${context()}`)),
    );
    const pids = /bridge pid (\d+), broker pid (\d+), Kafka (\S+),/.exec(out);
    expect(pids).not.toBeNull();
    const [bridgePid, brokerPid] = [Number(pids![1]), Number(pids![2])];
    const brokerAddress = pids![3].replace(/,$/, '');
    expect(brokerAddress).not.toBe(process.env.KAFKA_BROKERS); // its own broker, not the suite's

    const reachedAll = () => {
      const accepted = lastCounts(out, 'emulator accepted');
      const dlq = lastCounts(out, 'dlq');
      return (
        ['datastream', 'cloudinsight', 'guance'].every((api) => accepted[api] > 0) &&
        ['unroutable', 'malformed', 'invalid'].every((reason) => dlq[reason] > 0)
      );
    };
    await waitFor('records at all three APIs and the DLQ', () => exitCode !== undefined || reachedAll(), 150_000).catch(
      (err: Error) => Promise.reject(new Error(`${err.message}; ${context()}`)),
    );
    expect({ reachedAll: reachedAll(), exitCode }).toEqual({ reachedAll: true, exitCode: undefined });
    console.log(`npm run local: all three APIs and the DLQ after ${Math.round((Date.now() - started) / 1000)} s`);

    // The CLI lines it prints work as printed (run without npm in between).
    const list = /^local: {3}KAFKA_BROKERS=(\S+) npm run cli -- dlq list$/m.exec(out);
    const send = /^local: {3}echo '(.+)' \| KAFKA_BROKERS=(\S+) npm run cli -- (send .+)$/m.exec(out);
    expect({ list: list?.[1], send: send?.[2] }).toEqual({ list: brokerAddress, send: brokerAddress });
    const listed = await runCli(['dlq', 'list', '--reason', 'unroutable', '--limit', '1'], { KAFKA_BROKERS: list![1] });
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(lines(listed.stdout)[1]).toMatch(/^\d+@\d+\s+unroutable\s/);
    const sent = await runCli(send![3].split(' '), { KAFKA_BROKERS: send![2] }, Buffer.from(send![1]));
    expect(sent).toMatchObject({ code: 0, stderr: '' });
    expect(sent.stdout).toMatch(/^sent \d+ bytes to events\.internal\/\d+@\d+ \(target guance\)\n$/);

    child.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exited,
      new Promise((resolve) => (timer = setTimeout(() => resolve('still running after 60 s'), 60_000))),
    ]);
    clearTimeout(timer);
    expect({ code, out: code === 0 ? '' : context() }).toEqual({ code: 0, out: '' });
    expect(out).toContain('bridge exited (0)');
    expect(out).toContain('broker stopped, its data removed');
    expect(out).toContain('final summary');

    // nothing it started is left: the bridge, the broker's guard, and the broker (its port)
    expect({ bridge: alive(bridgePid), broker: alive(brokerPid) }).toEqual({ bridge: false, broker: false });
    expect(await accepts(brokerAddress)).toBe(false);
  }, 280_000);
});

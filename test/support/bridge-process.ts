import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePorts } from '../../tools/kafka/broker';

const ROOT = join(__dirname, '../..');

export interface BridgeProcess {
  proc: ChildProcess;
  port: number;
  /** everything the process wrote to stdout and stderr so far */
  output(): string;
  get(path: string): Promise<{ status: number; body: string }>;
  waitReady(timeoutMs?: number): Promise<void>;
  /** resolves with the exit code (or the signal's name) */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

/**
 * Runs the bridge (apps/bridge/src/main.ts through ts-node) as a separate process, as it runs in
 * production, so tests can SIGKILL and SIGTERM it. `env` is the whole bridge configuration.
 */
export async function startBridge(env: Record<string, string>): Promise<BridgeProcess> {
  const [port] = await freePorts(1);
  const proc = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/bridge/src/main.ts'],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port), LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) =>
    proc.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: res.status, body: await res.text() };
  };
  const bridge: BridgeProcess = {
    proc,
    port,
    output: () => out,
    get,
    exited,
    async waitReady(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      let exitedEarly: number | string | undefined;
      void exited.then((c) => (exitedEarly = c));
      while (Date.now() < deadline) {
        if (exitedEarly !== undefined) throw new Error(`bridge exited (${exitedEarly}) before ready:\n${out}`);
        const ready = await get('/health/ready').catch(() => undefined);
        if (ready?.status === 200) return;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`bridge not ready after ${timeoutMs} ms:\n${out.slice(-4000)}`);
    },
    async kill(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
  return bridge;
}

/** Stops every bridge a suite started, whatever state the test left them in. */
export async function killAll(bridges: BridgeProcess[]): Promise<void> {
  await Promise.all(bridges.map((b) => b.kill('SIGKILL')));
}

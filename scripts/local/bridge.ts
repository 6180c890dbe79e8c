import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '../..');

export interface LocalBridge {
  proc: ChildProcess;
  pid: number;
  /** resolves with the exit code, or the name of the signal that ended it */
  exited: Promise<number | string>;
  /** the last lines the bridge wrote to its log */
  tail(lines?: number): string;
}

/**
 * Runs the bridge from source (ts-node, as the e2e suites do) with its stdout and stderr in
 * `logFile`. It gets an IPC channel only so that it stops (SIGTERM, a normal drain) should this
 * process die without stopping it.
 */
export function spawnBridge(env: NodeJS.ProcessEnv, logFile: string): LocalBridge {
  mkdirSync(dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'w');
  const proc = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      '-r',
      './scripts/local/stop-with-parent.ts',
      'apps/bridge/src/main.ts',
    ],
    // detached: a Ctrl-C in the terminal reaches this process only, which stops the bridge in turn
    { cwd: ROOT, env, stdio: ['ignore', fd, fd, 'ipc'], detached: true },
  );
  closeSync(fd);
  const exited = new Promise<number | string>((resolve) =>
    proc.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  proc.on('error', () => undefined); // reported through `exited`
  return {
    proc,
    pid: proc.pid ?? -1,
    exited,
    tail: (lines = 20) => {
      try {
        return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
  };
}

/** Waits until /health/ready answers 200; throws if the bridge exits first or time runs out. */
export async function waitReady(bridge: LocalBridge, port: number, timeoutMs: number): Promise<void> {
  let exit: number | string | undefined;
  void bridge.exited.then((code) => (exit = code));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exit !== undefined) throw new Error(`the bridge exited (${exit}) before it was ready`);
    const res = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(2000) }).catch(
      () => undefined,
    );
    if (res?.status === 200) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the bridge was not ready after ${timeoutMs / 1000} s`);
}

/** SIGTERM (the bridge drains and exits 0), then SIGKILL if it takes longer than `graceMs`. */
export async function stopBridge(bridge: LocalBridge, graceMs: number): Promise<number | string> {
  const { proc } = bridge;
  if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  const code = await bridge.exited;
  clearTimeout(timer);
  return code;
}

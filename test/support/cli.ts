import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Where the CLI runs from: the repository root. */
export const CLI_ROOT = join(__dirname, '../..');
/** Settings of the bridge that must not leak from the test's environment into the CLI's. */
const OWN_SETTINGS = /^(BRIDGE_|NCP_|CLOUDINSIGHT_|GUANCE_|KAFKA_(?!BROKERS$))/;

/**
 * Runs the CLI from source as a child process (ts-node, transpile only), the way
 * `npm run cli -- ...` does, with the repository root as cwd. `env` adds to the broker address.
 */
export function runCli(args: string[], env: Record<string, string> = {}, stdin?: Buffer): Promise<CliResult> {
  const child = spawnCli(args, env);
  child.stdin!.end(stdin);
  return cliResult(child);
}

/** The CLI as a child process with piped stdio, for tests that act on it while it runs. */
export function spawnCli(args: string[], env: Record<string, string> = {}): ChildProcess {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !OWN_SETTINGS.test(name)));
  return spawn(process.execPath, cliArgs(args), { cwd: CLI_ROOT, env: { ...base, ...env }, stdio: 'pipe' });
}

/** node's arguments for the CLI from source, run from CLI_ROOT. */
export function cliArgs(args: string[]): string[] {
  return ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/cli/src/main.ts', ...args];
}

/** Everything a child wrote, and its exit code. */
export function cliResult(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Non-empty lines of an output. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

/**
 * The peak resident set of a running process in KiB (VmHWM of /proc/<pid>/status), sampled until
 * it exits: the high-water mark only grows, so the last sample is the peak up to the exit.
 */
export function peakRssKiB(child: ChildProcess, everyMs = 20): Promise<number> {
  let peak = 0;
  const sample = () => {
    try {
      const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]));
    } catch {
      // gone already: the last sample stands
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return new Promise((resolve) =>
    child.once('exit', () => {
      clearInterval(timer);
      resolve(peak);
    }),
  );
}

import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const ROOT = join(__dirname, '../..');
/** Settings of the bridge that must not leak from the test's environment into the CLI's. */
const OWN_SETTINGS = /^(BRIDGE_|NCP_|CLOUDINSIGHT_|GUANCE_|KAFKA_(?!BROKERS$))/;

/**
 * Runs the CLI from source as a child process (ts-node, transpile only), the way
 * `npm run cli -- ...` does, with the repository root as cwd. `env` adds to the broker address.
 */
export function runCli(args: string[], env: Record<string, string> = {}, stdin?: Buffer): Promise<CliResult> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !OWN_SETTINGS.test(name)));
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/cli/src/main.ts', ...args],
    { cwd: ROOT, env: { ...base, ...env }, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  child.stdin.end(stdin);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Non-empty lines of an output. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

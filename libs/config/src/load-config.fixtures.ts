import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { loadBridgeConfig } from './load-bridge-config';
import { ConfigError } from './validate-env';

const root = resolve(__dirname, '../../..');
// The child loads the TypeScript sources as the bridge's main.ts would, path aliases included.
const script = [
  "require('ts-node').register({ transpileOnly: true });",
  "require('tsconfig-paths').register();",
  "const { loadConfigOrExit } = require('./libs/config/src/load-bridge-config');",
  'const config = loadConfigOrExit(process.env);',
  "process.stdout.write('loaded ' + config.topics.join(','));",
].join('\n');

export interface ChildRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** loadConfigOrExit in a process of its own with exactly `env` (and PATH), as the bridge starts. */
export function runLoadConfigOrExit(env: Record<string, string>): Promise<ChildRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['-e', script], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

/** The message of the ConfigError loadBridgeConfig throws for `env` (it must throw one). */
export function configErrorOf(env: Record<string, string | undefined>): string {
  try {
    loadBridgeConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.message;
  }
  throw new Error('expected a ConfigError');
}

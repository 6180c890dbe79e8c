import { readFileSync } from 'node:fs';
import { runCli } from './cli';

void runCli(process.argv.slice(2), {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  now: Date.now,
  readFile: (path) => readFileSync(path === '-' ? 0 : path),
}).then((code) => {
  process.exitCode = code;
  // Every client is closed by now; should a library leave a handle open, do not hang on it.
  setTimeout(() => process.exit(code), 5_000).unref();
});

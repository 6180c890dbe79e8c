import { readFileSync } from 'node:fs';
import { CliContext, INTERRUPTED, OUTPUT_CLOSED } from './command';
import { StatusLine } from './status-line';

export interface ProcessRun {
  ctx: CliContext;
  /** The exit code for what the command returned: 130 after Ctrl-C, 1 if stdout failed. */
  exitCode(commandCode: number): number;
  /** Resolves when stdout has written everything, or can no longer. */
  flushed(): Promise<void>;
}

/**
 * The context of a real run. Ctrl-C (SIGINT) asks the command to stop (a second one exits at
 * once); a closed stdout (`| head -1`) ends the output quietly: the command stops, exit code 0.
 */
export function processContext(): ProcessRun {
  const stop = new AbortController();
  let interrupted = false;
  let stdoutGone = false;
  let stdoutFailure: Error | undefined;
  const { stdout, stderr } = process;
  const status = stderr.isTTY ? new StatusLine(stderr) : undefined;

  stdout.on('error', (err: NodeJS.ErrnoException) => {
    stdoutGone = true;
    // EPIPE: the reader went away, which ends the output; anything else (a full disk) is a failure.
    if (err.code !== 'EPIPE') stdoutFailure ??= err;
    stop.abort(OUTPUT_CLOSED);
  });
  // Nowhere left to report to: stop quietly as well.
  stderr.on('error', () => stop.abort(OUTPUT_CLOSED));
  process.on('SIGINT', () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    stop.abort(INTERRUPTED);
  });

  const writable = (): Promise<void> =>
    stdoutGone || !stdout.writableNeedDrain
      ? Promise.resolve()
      : new Promise((resolve) => {
          const done = () => {
            stdout.off('drain', done);
            stop.signal.removeEventListener('abort', done);
            resolve();
          };
          stdout.on('drain', done);
          stop.signal.addEventListener('abort', done);
        });

  const ctx: CliContext = {
    env: process.env,
    out: (line) => {
      status?.clear();
      if (!stdoutGone) stdout.write(`${line}\n`);
    },
    err: (line) => {
      status?.clear();
      stderr.write(`${line}\n`);
    },
    writable,
    status: (line) => status?.show(line),
    signal: stop.signal,
    now: Date.now,
    readFile: (path) => readFileSync(path === '-' ? 0 : path),
  };
  return {
    ctx,
    exitCode: (code) => {
      if (stdoutFailure) stderr.write(`error: cannot write to stdout: ${stdoutFailure.message}\n`);
      if (interrupted) return 130;
      return stdoutFailure ? 1 : code;
    },
    flushed: async () => {
      while (!stdoutGone && stdout.writableLength > 0) {
        await new Promise<void>((resolve) => {
          stdout.once('drain', resolve);
          stop.signal.addEventListener('abort', () => resolve(), { once: true });
        });
      }
    },
  };
}

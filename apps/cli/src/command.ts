/** What a command sees of the world: the environment, the output streams, a stop signal, a clock. */
export interface CliContext {
  env: Record<string, string | undefined>;
  /** One line to stdout (results). */
  out(line: string): void;
  /** One line to stderr (warnings, errors). */
  err(line: string): void;
  /** Resolves once stdout can take more: a long output waits on it, so a slow reader bounds memory. */
  writable(): Promise<void>;
  /** Redraws the status line on a terminal (stderr); nothing when stderr is not a terminal. */
  status(line: string): void;
  /** Aborted when the command should stop early: Ctrl-C, or the reader of stdout went away. */
  signal: AbortSignal;
  now(): number;
  /** Bytes of a file, or of stdin for `-`. */
  readFile(path: string): Buffer;
}

export interface Command {
  /** The words that select it, e.g. `['dlq', 'list']`. */
  path: string[];
  /** One line: the command and its flags. */
  usage: string;
  /** What `--help` prints after the usage line. */
  help: string;
  /** Resolves with the exit code; throws UsageError (2), ConfigError or anything else (1). */
  run(args: string[], ctx: CliContext): Promise<number>;
}

export const PROGRAM = 'bridge-cli';

/** The reason of `CliContext.signal`: Ctrl-C, or the reader of stdout went away (`| head -1`). */
export const INTERRUPTED = 'interrupted';
export const OUTPUT_CLOSED = 'output closed';

/** What a command sees of the world: the environment, two output streams and a clock. */
export interface CliContext {
  env: Record<string, string | undefined>;
  /** One line to stdout (results). */
  out(line: string): void;
  /** One line to stderr (progress, warnings, errors). */
  err(line: string): void;
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

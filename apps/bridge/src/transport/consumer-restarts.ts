import type { PinoLogger } from 'nestjs-pino';
import type { Target } from '@app/contracts';

const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 60_000;
/** Down this long despite our own restarts: a restart of the process is the last resort. */
const RESTART_PROCESS_AFTER_MS = 10 * 60_000;

/**
 * Brings a crashed consumer back (kafkajs leaves it dead for errors it deems fatal), with a backoff
 * from 1 s doubling to 60 s, and says how long it has been down, for health and logs.
 */
export class ConsumerRestarts {
  private downSince: number | undefined;
  private error = '';
  private attempts = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly target: Target,
    private readonly log: PinoLogger,
    private readonly restart: () => Promise<void>,
  ) {}

  get isDown(): boolean {
    return this.downSince !== undefined;
  }

  crashed(err: unknown): void {
    if (this.stopped || this.timer !== undefined) return;
    this.downSince ??= Date.now();
    this.error = err instanceof Error ? err.message : String(err);
    const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** this.attempts++);
    this.log.error(
      { target: this.target, err, attempt: this.attempts, inMs: delay },
      'consumer crashed; restarting it',
    );
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.restart().catch((error: unknown) => this.crashed(error));
    }, delay);
  }

  /** The consumer joined its group again. */
  succeeded(): void {
    if (this.downSince === undefined) return;
    this.log.warn(
      { target: this.target, downMs: Date.now() - this.downSince, attempts: this.attempts },
      'consumer restarted',
    );
    this.downSince = undefined;
    this.attempts = 0;
  }

  /** Why the target is not ready while its consumer is down, and whether the process should restart. */
  down(now: number): { notReady: string; restartDue?: string } | undefined {
    if (this.downSince === undefined) return undefined;
    const notReady = `consumer down since ${new Date(this.downSince).toISOString()}, restarting (attempt ${this.attempts}): ${this.error}`;
    return now - this.downSince >= RESTART_PROCESS_AFTER_MS ? { notReady, restartDue: notReady } : { notReady };
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

import type { CliContext } from './command';

/**
 * Progress of a long run on the status line: first drawn after `delayMs`, so a short run shows
 * nothing, then redrawn every `everyMs` (while the run waits too, e.g. on a rate limit) from
 * `describe`, which gets the seconds since the start.
 */
export class Progress {
  private timer: NodeJS.Timeout | undefined;
  private readonly started: number;

  constructor(
    private readonly ctx: Pick<CliContext, 'status' | 'now'>,
    private readonly describe: (seconds: number) => string,
    private readonly delayMs = 1_000,
    private readonly everyMs = 250,
  ) {
    this.started = ctx.now();
  }

  start(): this {
    this.schedule(this.delayMs);
    return this;
  }

  /** Clears the status line; call it before the summary. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.ctx.status('');
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.ctx.status(this.describe((this.ctx.now() - this.started) / 1000));
      this.schedule(this.everyMs);
    }, ms).unref();
  }
}

const NUMBER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `12,345` */
export function count(n: number): string {
  return NUMBER.format(n);
}

/** `1,234/s`: a count over the seconds it took. */
export function perSecond(n: number, seconds: number): string {
  return `${NUMBER.format(seconds > 0 ? n / seconds : 0)}/s`;
}

/** `12,345 of 50,000 (24%)` */
export function ofTotal(done: number, total: number): string {
  const share = total > 0 ? ` (${Math.floor((done / total) * 100)}%)` : '';
  return `${count(done)} of ${count(total)}${share}`;
}

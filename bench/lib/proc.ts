import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export interface ProcSample {
  /** ms since the epoch */
  at: number;
  /** user + system CPU seconds so far */
  cpu: number;
  /** resident set, MB */
  rssMb: number;
}

/** CPU seconds, RSS and peak RSS (VmHWM) of a live process, from /proc; undefined once it is gone. */
export function readProc(pid: number): (ProcSample & { hwmMb: number }) | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime, stime
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { at: Date.now(), cpu, rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** Busy and total jiffies of the whole machine (all cores), from /proc/stat. */
export function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const n = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = n[3] + (n[4] ?? 0);
  const total = n.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** A child process whose CPU time and memory are sampled while it runs. */
export class MeasuredProcess {
  readonly proc: ChildProcess;
  readonly samples: ProcSample[] = [];
  peakRssMb = 0;
  private out = '';
  private readonly timer: NodeJS.Timeout;
  readonly exited: Promise<number | string>;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    env: Record<string, string>,
    cwd: string,
  ) {
    this.proc = spawn(command, args, { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'pipe' });
    const keep = (d: Buffer) => {
      this.out += d.toString();
      if (this.out.length > 200_000) this.out = this.out.slice(-100_000);
    };
    this.proc.stdout!.on('data', keep);
    this.proc.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve(code ?? signal ?? '?')));
    this.timer = setInterval(() => this.sample(), 200);
  }

  get pid(): number {
    return this.proc.pid!;
  }

  output(): string {
    return this.out;
  }

  sample(): ProcSample | undefined {
    const s = readProc(this.pid);
    if (!s) return undefined;
    this.peakRssMb = Math.max(this.peakRssMb, s.hwmMb);
    const sample = { at: s.at, cpu: s.cpu, rssMb: s.rssMb };
    this.samples.push(sample);
    return sample;
  }

  /** CPU seconds used between two instants (nearest samples at or before them). */
  cpuBetween(from: number, to: number): number {
    const at = (t: number) => {
      let best = this.samples[0];
      for (const s of this.samples) if (s.at <= t) best = s;
      return best?.cpu ?? 0;
    };
    return at(to) - at(from);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<number | string> {
    this.sample();
    clearInterval(this.timer);
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return this.exited;
    this.proc.kill(signal);
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

/** Polls `check` every `everyMs` until it is true; throws after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

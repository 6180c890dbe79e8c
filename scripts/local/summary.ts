import { TARGETS } from '@app/contracts';
import type { ApiStats, EmulatedApi } from '../../apps/emulator/src/recorder';
import type { FedCounts } from './feeder';
import type { Snapshot } from './metrics';
import type { LocalPlan } from './plan';

export interface View {
  upMs: number;
  plan: LocalPlan;
  /** undefined while the bridge's /metrics does not answer */
  bridge?: Snapshot;
  emulator?: Record<EmulatedApi, ApiStats>;
  fed: FedCounts;
  feedError?: string;
}

const sum = (values: Record<string, number>) => Object.values(values).reduce((a, b) => a + b, 0);

function uptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

const pad = (cells: (string | number)[], widths: number[]) =>
  cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');

/** The summary as a table for a person (redrawn in a terminal, and printed at the end). */
export function renderTable(v: View): string[] {
  const b = v.bridge;
  const widths = [12, 8, 9, 7, 5, 7, 8, 8];
  const lines = [pad(['target', 'via', 'delivered', 'retries', 'dlq', 'state', 'accepted', 'rejected'], widths)];
  for (const t of TARGETS) {
    const real = v.plan.real.includes(t);
    const api = real ? undefined : v.emulator?.[t];
    const row = [t, real ? 'real API' : 'emulator', b?.delivered[t], b?.retried[t], b?.deadLettered[t]];
    const state = b ? (b.refused[t] ? 'REFUSED' : b.paused[t] ? 'PAUSED' : 'ok') : '?';
    lines.push(pad([...row.map((c) => c ?? '?'), state, api?.accepted ?? '-', api?.rejected ?? '-'], widths));
  }
  const reasons = b ? Object.entries(b.dlqByReason).map(([r, n]) => `${r} ${n}`) : ['?'];
  const fedBad = sum(v.fed.bad);
  return [
    ...lines,
    `dead letters (${v.plan.dlqTopic}): ${reasons.join(', ')}`,
    `consumer lag: ${b ? b.lag : '?'}    in flight: ${b ? sum(b.inFlight) : '?'}    fed: ${sum(v.fed.good) + fedBad} records (${fedBad} bad)` +
      (b ? '' : '    bridge /metrics not answering') +
      (v.feedError ? `    feeding failed: ${v.feedError}` : ''),
  ];
}

/** One line per refresh when stdout is not a terminal (CI, tests, a log file). */
export function renderLine(v: View): string {
  const b = v.bridge;
  const perTarget = (f: (t: (typeof TARGETS)[number]) => string | number) =>
    TARGETS.map((t) => `${t}=${f(t)}`).join(' ');
  const parts = [
    `[${uptime(v.upMs)}]`,
    `delivered ${perTarget((t) => b?.delivered[t] ?? '?')}`,
    `retries ${b ? sum(b.retried) : '?'}`,
    `dlq ${
      b
        ? Object.entries(b.dlqByReason)
            .map(([r, n]) => `${r}=${n}`)
            .join(' ')
        : '?'
    }`,
    `lag ${b?.lag ?? '?'}`,
    `paused ${b ? TARGETS.filter((t) => b.paused[t]).join(',') || 'none' : '?'}`,
    `refused ${b ? TARGETS.filter((t) => b.refused[t]).join(',') || 'none' : '?'}`,
    `emulator accepted ${perTarget((t) => (v.plan.real.includes(t) ? 'real' : (v.emulator?.[t].accepted ?? '?')))}`,
    `fed ${sum(v.fed.good)}+${sum(v.fed.bad)} bad`,
  ];
  if (v.feedError) parts.push(`feeding failed: ${v.feedError}`);
  return parts.join(' | ');
}

/** Redraws the table in place in a terminal; prints plain lines otherwise. */
export class SummaryPrinter {
  private drawn = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly header: string,
  ) {}

  get live(): boolean {
    return this.out.isTTY === true;
  }

  print(v: View): void {
    if (!this.live) {
      this.out.write(`local: ${renderLine(v)}\n`);
      return;
    }
    const width = Math.max(20, (this.out.columns || 80) - 1);
    const lines = [`${this.header}  (up ${uptime(v.upMs)}, Ctrl-C stops)`, ...renderTable(v)].map((l) =>
      l.slice(0, width),
    );
    // move up over the last drawing and clear to the end of the screen
    const up = this.drawn > 0 ? `\x1b[${this.drawn}A\r\x1b[J` : '';
    this.out.write(`${up}${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }

  /** Lines printed after this are not overwritten. */
  release(): void {
    this.drawn = 0;
  }
}

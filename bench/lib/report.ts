/** Percentile (nearest rank) of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export interface Row {
  scenario: string;
  records: number;
  recordsPerSecond: number;
  p50Ms?: number;
  p99Ms?: number;
  rssMb?: number;
  cpuSeconds?: number;
  /** Load average (1 min) of the machine at the scenario's start and end. */
  load?: [number, number];
  ratios: Record<string, number>;
}

const fixed = (n: number | undefined, digits = 0) => (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits));

/** A plain-text table, the way it is pasted into BENCHMARKS.md. */
export function table(rows: Row[]): string {
  const head = [
    'scenario',
    'records',
    'records/s',
    'p50 ms',
    'p99 ms',
    'peak RSS MB',
    'CPU s',
    'CPU µs/record',
    'load',
    'ratios',
  ];
  const body = rows.map((r) => [
    r.scenario,
    String(r.records),
    fixed(r.recordsPerSecond),
    fixed(r.p50Ms, 1),
    fixed(r.p99Ms, 1),
    fixed(r.rssMb),
    fixed(r.cpuSeconds, 1),
    fixed(r.cpuSeconds === undefined ? undefined : (r.cpuSeconds * 1e6) / r.records),
    r.load ? r.load.map((l) => l.toFixed(1)).join('-') : '-',
    Object.entries(r.ratios)
      .map(([k, v]) => `${v >= 10 ? v.toFixed(0) : v.toFixed(2)}x ${k}`)
      .join(', ') || '-',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

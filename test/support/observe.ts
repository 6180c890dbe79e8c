import type { BridgeProcess } from './bridge-process';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/** What an operator sees of a running bridge: readiness, metrics, log lines. */
export interface Observed {
  ready: { status: number; body: Json };
  metrics: string;
}

export async function observe(bridge: BridgeProcess): Promise<Observed> {
  const [ready, metrics] = await Promise.all([bridge.get('/health/ready'), bridge.get('/metrics')]);
  return { ready: { status: ready.status, body: JSON.parse(ready.body) }, metrics: metrics.body };
}

/** Why readiness says a target is not ready (terminus' `error.targets`), if it says so. */
export function notReady(o: Observed, target: string): string | undefined {
  return o.ready.body.error?.targets?.[target] as string | undefined;
}

/**
 * The sum of a metric's samples whose labels include `labels` (Prometheus text format); undefined
 * when no sample matches.
 */
export function metric(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const have = new Map([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) sum = (sum ?? 0) + Number(m[3]);
  }
  return sum;
}

/** The bridge's JSON log lines with this message, oldest first. */
export function logLines(bridge: BridgeProcess, msg: string): Json[] {
  const out: Json[] = [];
  for (const line of bridge.output().split('\n')) {
    if (!line.startsWith('{') || !line.includes(msg)) continue;
    try {
      const entry = JSON.parse(line) as Json;
      if (entry.msg === msg) out.push(entry);
    } catch {
      // a line cut by the end of the output so far
    }
  }
  return out;
}

/** Polls `look` until it returns something; returns it and when (ms since the epoch). */
export async function until<T>(
  what: string,
  look: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
): Promise<{ value: T; at: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await look();
    if (value !== undefined && value !== false) return { value, at: Date.now() };
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

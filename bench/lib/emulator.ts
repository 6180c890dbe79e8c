import type { Target } from '@app/contracts';
import { receivedId } from './workload';

export const BENCH_TARGETS: readonly Target[] = ['datastream', 'cloudinsight', 'guance'];

/** Credentials the emulator and every client of the benchmark share (fake ones). */
export const BENCH_KEYS = {
  ncp: { accessKey: 'bench-access-key', secretKey: 'bench-secret-key-0123456789' },
  guanceApiKey: 'bench-guance-api-key',
  monitor: { secret: 'bench-monitor-secret', subUri: 'bench-monitor' },
};

export function emulatorEnv(port: number): Record<string, string> {
  return {
    EMULATOR_PORT: String(port),
    EMULATOR_HOST: '127.0.0.1',
    NCP_ACCESS_KEY: BENCH_KEYS.ncp.accessKey,
    NCP_SECRET_KEY: BENCH_KEYS.ncp.secretKey,
    GUANCE_API_KEY: BENCH_KEYS.guanceApiKey,
    GUANCE_SECRET: BENCH_KEYS.monitor.secret,
    GUANCE_SUB_URI: BENCH_KEYS.monitor.subUri,
    EMULATOR_MAX_STORED: String(5_000_000),
  };
}

async function call<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The emulator's control API. */
export class EmulatorControl {
  constructor(readonly url: string) {}

  async healthy(): Promise<boolean> {
    return fetch(`${this.url}/_emulator/health`).then(
      (r) => r.ok,
      () => false,
    );
  }

  async setLatency(ms: number): Promise<void> {
    for (const api of BENCH_TARGETS) {
      if (ms > 0) {
        await call(`${this.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ api, latencyMs: ms }) });
      }
    }
  }

  /** The same fault on the three APIs (it replaces each one's latency fault: give latencyMs too). */
  async setFault(fault: Record<string, unknown>): Promise<void> {
    for (const api of BENCH_TARGETS) {
      await call(`${this.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ ...fault, api }) });
    }
  }

  /** Records accepted, over the three targets. */
  async accepted(): Promise<number> {
    const stats = await call<Record<string, { accepted: number; rejected: number }>>(`${this.url}/_emulator/stats`);
    return BENCH_TARGETS.reduce((n, t) => n + stats[t].accepted, 0);
  }

  async stats(): Promise<
    Record<string, { requests: number; accepted: number; rejected: number; statuses: Record<string, number> }>
  > {
    return call(`${this.url}/_emulator/stats`);
  }

  /** Every accepted record of one target in arrival order, as (id, key, seq, at). */
  async receipts(target: Target): Promise<{ id: number; key: number; seq: number; at: number }[]> {
    const out: { id: number; key: number; seq: number; at: number }[] = [];
    let since = 0;
    for (;;) {
      const page = await call<{ entries: { at: number; body: unknown }[]; next: number }>(
        `${this.url}/_emulator/received?api=${target}&since=${since}&limit=50000`,
      );
      for (const e of page.entries) out.push({ ...receivedId(target, e.body), at: e.at });
      if (page.entries.length === 0) return out;
      since = page.next;
    }
  }
}

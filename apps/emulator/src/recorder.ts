export const EMULATED_APIS = ['datastream', 'cloudinsight', 'guance', 'integration'] as const;
/** Scope of records, counts and faults: one of the emulated APIs (`integration`: create and list). */
export type EmulatedApi = (typeof EMULATED_APIS)[number];

export function isEmulatedApi(value: unknown): value is EmulatedApi {
  return (EMULATED_APIS as readonly unknown[]).includes(value);
}

/** One accepted record. Cloud Insight: one entry per element of `data`, as `{cw_key, data}`. */
export interface ReceivedEntry {
  /** Position among the records this API accepted, from 0. */
  seq: number;
  /** Arrival time, ms since the epoch. */
  at: number;
  body: unknown;
  /** Data Stream: the message key. */
  key?: string;
  /** Guance: name of the monitor the secret/subUri matched. */
  monitor?: string;
  /** Cloud Insight: the X-NCP-REGION_NO header, when sent. */
  regionNo?: string;
  /** CreateIntegration: the id it answered. */
  integrationId?: string;
  /** The W3C trace context headers of the request that carried it, when it had them. */
  traceparent?: string;
  tracestate?: string;
}

export interface ApiStats {
  requests: number;
  /** Records accepted (Cloud Insight counts elements of `data`). */
  accepted: number;
  /** Requests answered with a status >= 400, injected faults included. */
  rejected: number;
  /** Requests answered 200 whose content the real API ignores (unknown monitor, no cw_key). */
  ignored: number;
  /** Connections destroyed without an answer (fault). */
  dropped: number;
  /** Requests never answered (fault). */
  hung: number;
  /** Accepted records held with their body (the rest were past the cap). */
  stored: number;
  /** Answered requests per HTTP status. */
  statuses: Record<string, number>;
}

export interface ReceivedPage {
  api: EmulatedApi;
  entries: ReceivedEntry[];
  /** Pass as `since` to get what follows. */
  next: number;
  accepted: number;
}

const emptyStats = (): ApiStats => ({
  requests: 0,
  accepted: 0,
  rejected: 0,
  ignored: 0,
  dropped: 0,
  hung: 0,
  stored: 0,
  statuses: {},
});

/** What the emulator accepted, in arrival order; bodies up to a cap (over all APIs), counts always. */
export class Recorder {
  private entries = new Map<EmulatedApi, ReceivedEntry[]>();
  private counts = new Map<EmulatedApi, ApiStats>();
  private storedTotal = 0;

  constructor(private readonly maxStoredEntries: number) {
    this.reset();
  }

  reset(): void {
    this.storedTotal = 0;
    for (const api of EMULATED_APIS) {
      this.entries.set(api, []);
      this.counts.set(api, emptyStats());
    }
  }

  stats(api: EmulatedApi): ApiStats {
    return this.counts.get(api)!;
  }

  accept(api: EmulatedApi, entry: Omit<ReceivedEntry, 'seq'>): void {
    const stats = this.stats(api);
    const seq = stats.accepted++;
    if (this.storedTotal >= this.maxStoredEntries) return;
    this.storedTotal++;
    stats.stored++;
    this.entries.get(api)!.push({ seq, ...entry });
  }

  answered(api: EmulatedApi, status: number): void {
    const stats = this.stats(api);
    stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
    if (status >= 400) stats.rejected++;
  }

  received(api: EmulatedApi, since = 0, limit = 10_000): ReceivedPage {
    const list = this.entries.get(api)!;
    const entries = list.slice(since, since + limit);
    return { api, entries, next: since + entries.length, accepted: this.stats(api).accepted };
  }

  snapshot(): Record<EmulatedApi, ApiStats> {
    return Object.fromEntries(EMULATED_APIS.map((api) => [api, structuredClone(this.stats(api))])) as Record<
      EmulatedApi,
      ApiStats
    >;
  }
}

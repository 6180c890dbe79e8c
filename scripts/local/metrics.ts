import { DLQ_REASONS, isTarget as isTargetName, Target } from '@app/contracts';

/** What the bridge's /metrics said at one moment, summed over labels the summary does not show. */
export interface Snapshot {
  delivered: Record<Target, number>;
  /** API calls made again after a transient failure */
  retried: Record<Target, number>;
  deadLettered: Record<Target, number>;
  inFlight: Record<Target, number>;
  paused: Record<Target, boolean>;
  /** the API refuses the bridge's credentials */
  refused: Record<Target, boolean>;
  dlqByReason: Record<string, number>;
  /** Records not yet committed, over every group, topic and partition. */
  lag: number;
}

const per = <V>(v: V): Record<Target, V> => ({ datastream: v, cloudinsight: v, guance: v });

export function emptySnapshot(): Snapshot {
  return {
    delivered: per(0),
    retried: per(0),
    deadLettered: per(0),
    inFlight: per(0),
    paused: per(false),
    refused: per(false),
    dlqByReason: {},
    lag: 0,
  };
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the Prometheus text format (the subset prom-client writes: no timestamps needed). */
export function parsePrometheus(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(LABEL))
      labels[k] = v.replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

const isTarget = (t: string | undefined): t is Target => t !== undefined && isTargetName(t);

/** The bridge's counters and gauges that the summary shows. */
export function bridgeSnapshot(samples: Sample[]): Snapshot {
  const s = emptySnapshot();
  for (const reason of DLQ_REASONS) s.dlqByReason[reason] = 0; // a fixed order, the known reasons first
  for (const { name, labels, value } of samples) {
    const t = labels.target;
    if (name === 'bridge_records_total' && isTarget(t)) {
      if (labels.outcome === 'delivered') s.delivered[t] += value;
      else if (labels.outcome === 'dead_lettered') s.deadLettered[t] += value;
    } else if (name === 'bridge_call_retries_total' && isTarget(t)) {
      s.retried[t] += value;
    } else if (name === 'bridge_dead_letters_total') {
      const reason = labels.reason ?? 'unknown';
      s.dlqByReason[reason] = (s.dlqByReason[reason] ?? 0) + value;
    } else if (name === 'bridge_consumer_lag') {
      s.lag += value;
    } else if (name === 'bridge_target_paused' && isTarget(t)) {
      s.paused[t] = value > 0;
    } else if (name === 'bridge_target_credentials_refused' && isTarget(t)) {
      s.refused[t] = value > 0;
    } else if (name === 'bridge_in_flight_requests' && isTarget(t)) {
      s.inFlight[t] = value;
    }
  }
  return s;
}

/** Fetches and parses the bridge's /metrics; undefined when it does not answer. */
export async function fetchBridgeSnapshot(port: number): Promise<Snapshot | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2000) });
    if (!res.ok) return undefined;
    return bridgeSnapshot(parsePrometheus(await res.text()));
  } catch {
    return undefined;
  }
}

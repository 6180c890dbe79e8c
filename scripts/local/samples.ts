import type { Message } from 'kafkajs';
import { DEFAULT_ROUTE_HEADER, Target } from '@app/contracts';

/** Bad records the feeder mixes in, each dead-lettered for its reason (docs/contract.md). */
export const BAD_KINDS = ['no-header', 'unknown-target', 'not-json', 'invalid'] as const;
export type BadKind = (typeof BAD_KINDS)[number];

export interface SampleOptions {
  /** Data Stream topic (a real account's topics carry its prefix). */
  datastreamTopic: string;
  /** Cloud Insight custom schema key. */
  cwKey: string;
  routeHeader?: string;
}

const CUSTOMERS = ['c-1042', 'c-2210', 'c-3307', 'c-4471', 'c-5120', 'c-6093'];
const HOSTS = ['web-01', 'web-02', 'api-01', 'api-02', 'batch-01'];
const SERVICES = ['checkout', 'payments', 'search', 'inventory'];
const STATUSES = ['ok', 'info', 'info', 'warning', 'error'] as const;

const pick = <T>(list: readonly T[], n: number): T => list[n % list.length];
const seconds = () => Math.floor(Date.now() / 1000);

function body(target: Target, n: number, o: SampleOptions): { key: string; value: unknown } {
  switch (target) {
    case 'datastream': {
      const customer = pick(CUSTOMERS, n);
      const order = { orderId: `o-${100000 + n}`, customer, amount: 1200 + ((n * 731) % 90000), currency: 'KRW' };
      return { key: customer, value: { topic: o.datastreamTopic, key: customer, value: JSON.stringify(order) } };
    }
    case 'cloudinsight': {
      const host = pick(HOSTS, n);
      const data = {
        instanceId: host,
        cpu_used_pct: (n * 37) % 100,
        mem_used_mb: 900 + ((n * 53) % 3000),
        zone: 'KR-1',
      };
      return { key: host, value: { cw_key: o.cwKey, data } };
    }
    case 'guance': {
      const service = pick(SERVICES, n);
      const status = pick(STATUSES, n);
      const event = {
        date: seconds(),
        status,
        title: `${service} p99 latency ${status === 'ok' ? 'back to normal' : 'above threshold'}`,
        message: `p99 latency of ${service} was ${200 + ((n * 97) % 900)} ms over the last minute`,
        dimension_tags: { service, env: 'local' },
        check_value: 200 + ((n * 97) % 900),
        runbook: `https://runbooks.example/${service}/latency`,
      };
      return { key: service, value: { event, extraData: { source: 'kafka-ncp-bridge-local' } } };
    }
  }
}

/** A valid record for `target`; `n` varies its key and content. */
export function sampleRecord(target: Target, n: number, o: SampleOptions): Message {
  const { key, value } = body(target, n, o);
  return { key, value: JSON.stringify(value), headers: { [o.routeHeader ?? DEFAULT_ROUTE_HEADER]: target } };
}

/** A record the bridge cannot deliver, for the dead-letter topic. */
export function badRecord(kind: BadKind, n: number, o: SampleOptions): Message {
  const header = o.routeHeader ?? DEFAULT_ROUTE_HEADER;
  const good = sampleRecord('guance', n, o);
  switch (kind) {
    case 'no-header':
      return { key: good.key, value: good.value };
    case 'unknown-target':
      return { ...good, headers: { [header]: 'kinesis' } };
    case 'not-json':
      return { key: `c-${n}`, value: `order o-${n} shipped`, headers: { [header]: 'datastream' } };
    case 'invalid': {
      // milliseconds where seconds are due, and a status Guance does not know
      const event = { status: 'urgent', date: Date.now(), title: 'disk almost full' };
      return { key: 'invalid', value: JSON.stringify({ event }), headers: { [header]: 'guance' } };
    }
  }
}

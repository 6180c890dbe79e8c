import type { Target } from '@app/contracts';

/** The benchmark's records: deterministic from their id, so every process can rebuild them. */
export const KEYS = 1000;
export const ROUTE_HEADER = 'x-bridge-target';
const TARGET_BY_KEY: readonly Target[] = ['datastream', 'cloudinsight', 'guance'];
const CW_KEYS = ['460438474722512896', '460438474722512897', '460438474722512898', '460438474722512899'];
const STATUSES = ['info', 'warning', 'ok', 'error'] as const;

export interface BenchRecord {
  id: number;
  /** Index of the Kafka key (key-K); the key's records all go to one target. */
  key: number;
  /** Position of the record within its key, from 0. */
  seq: number;
  target: Target;
  body: Record<string, unknown>;
}

/** Record `id` of the mixed workload: key id % 1000, targets a third each (by key). */
export function benchRecord(id: number): BenchRecord {
  const key = id % KEYS;
  const seq = Math.floor(id / KEYS);
  const target = TARGET_BY_KEY[key % TARGET_BY_KEY.length];
  return { id, key, seq, target, body: bodyOf(target, id, key, seq) };
}

export const kafkaKey = (key: number): string => `key-${key}`;

/** Bodies the size and shape of real ones (a few hundred bytes), valid for the record contracts. */
function bodyOf(target: Target, id: number, key: number, seq: number): Record<string, unknown> {
  switch (target) {
    case 'datastream':
      return {
        topic: 'a1b2c3d4-orders',
        key: `order-${key}`,
        value: JSON.stringify({
          rid: id,
          seq,
          orderId: `ord-${key}-${seq}`,
          customerId: `cust-${(key * 7919) % 100_000}`,
          items: [
            { sku: `sku-${id % 977}`, qty: 1 + (id % 3), price: 12.5 },
            { sku: `sku-${id % 541}`, qty: 1, price: 3.99 },
          ],
          total: 41.49,
          currency: 'KRW',
          channel: 'mobile',
          createdAt: '2025-06-01T10:00:00.000Z',
        }),
      };
    case 'cloudinsight':
      return {
        cw_key: CW_KEYS[key % CW_KEYS.length],
        data: {
          instanceId: `svr-${key}`,
          rid: id,
          seq,
          cpu_used_rto: 37.5,
          mem_used_rto: 61.25,
          disk_read_bytes: 1_048_576,
          disk_write_bytes: 524_288,
          net_in_bytes: 91_234,
          net_out_bytes: 78_110,
          zone: 'KR-1',
        },
      };
    case 'guance':
      return {
        event: {
          status: STATUSES[id % STATUSES.length],
          title: `checkout latency above threshold on host-${key}`,
          message: `p95 latency of the checkout service on host-${key} was above 800 ms for 5 minutes (record ${id}).`,
          date: 1_750_000_000 + seq,
          dimension_tags: { host: `host-${key}`, service: 'checkout' },
          ext_rid: String(id),
          ext_seq: String(seq),
        },
        extraData: { source_system: 'orders-platform', runbook: 'https://wiki.example.com/runbooks/checkout' },
      };
  }
}

/** The id, key and seq of a body as the emulator recorded it (Cloud Insight: `{cw_key, data}`). */
export function receivedId(target: Target, body: unknown): { id: number; key: number; seq: number } {
  const b = body as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  switch (target) {
    case 'datastream': {
      const v = JSON.parse(b.value as string) as { rid: number; seq: number };
      return { id: v.rid, key: v.rid % KEYS, seq: v.seq };
    }
    case 'cloudinsight':
      return { id: b.data.rid as number, key: (b.data.rid as number) % KEYS, seq: b.data.seq as number };
    case 'guance': {
      const id = Number(b.event.ext_rid);
      return { id, key: id % KEYS, seq: Number(b.event.ext_seq) };
    }
  }
}

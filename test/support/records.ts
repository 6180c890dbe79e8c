import type { Target } from '@app/contracts';
import type { TestRecord } from './kafka';

/**
 * Valid records for each target, each carrying its id and its sequence within its key, so a test can
 * check by id that every record arrived, and per key that they arrived in order.
 */
export function recordBody(target: Target, id: string, seq: number): Record<string, unknown> {
  switch (target) {
    case 'datastream':
      return { topic: 'acct-prefix-orders', key: id, value: JSON.stringify({ id, seq, note: 'x'.repeat(64) }) };
    case 'cloudinsight':
      return { cw_key: 'cw-bridge-test', data: { rid: id, seq, cpu: 1.5, instanceId: 'i-0001' } };
    case 'guance':
      return {
        event: { status: 'info', title: 'order placed', message: `record ${id}`, ext_rid: id, ext_seq: String(seq) },
        extraData: { source_system: 'bridge-test' },
      };
  }
}

export function validRecord(
  target: Target,
  id: string,
  key: string | null,
  seq: number,
  partition?: number,
): TestRecord {
  return {
    key,
    value: JSON.stringify(recordBody(target, id, seq)),
    headers: { 'x-bridge-target': target, 'x-test-id': id },
    partition,
  };
}

/** The record id and sequence a delivered body carries (inverse of recordBody). */
export function idOf(target: Target, body: unknown): { id: string; seq: number } {
  const b = body as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  switch (target) {
    case 'datastream': {
      const v = JSON.parse(b.value as string) as { id: string; seq: number };
      return { id: v.id, seq: v.seq };
    }
    case 'cloudinsight': {
      // the emulator records one entry per data element, as {cw_key, data}
      const d = (b.data ?? b) as Record<string, unknown>;
      return { id: d.rid as string, seq: Number(d.seq) };
    }
    case 'guance':
      return { id: b.event.ext_rid as string, seq: Number(b.event.ext_seq) };
  }
}

/**
 * A mixed workload: `count` records spread over `keys` keys and the given targets; records of one key
 * go to one target (so per-key order can be checked per target) and carry increasing sequences.
 */
export function workload(count: number, keys: number, targets: readonly Target[], prefix = 'r'): TestRecord[] {
  const seqs = new Array<number>(keys).fill(0);
  const out: TestRecord[] = [];
  for (let i = 0; i < count; i++) {
    const k = i % keys;
    out.push(validRecord(targets[k % targets.length], `${prefix}${i}`, `key-${k}`, seqs[k]++));
  }
  return out;
}

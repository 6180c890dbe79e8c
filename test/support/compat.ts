import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DLQ_HEADER_PREFIX, DlqReason, RecordHeaders, Target } from '@app/contracts';
import type { Ledger } from './faults';
import { Bytes, brokerGroupLag, GroupLag, kafkaLibs, SpecRecord } from './real-producers';
import { recordBody } from './records';

const run = promisify(execFile);

/** What must become of a record: delivered once, dead-lettered once with a reason, or never seen. */
export type Outcome = 'delivered' | DlqReason | 'absent';

/** One compatibility case: its topics and, per record id, the outcome it must have. */
export class CompatCase {
  readonly expected = new Map<string, Outcome>();
  /** headers as produced, for the records that must be dead-lettered */
  readonly sentHeaders = new Map<string, [string, Bytes][]>();
  private next = 0;

  constructor(
    readonly name: string,
    readonly topics: string[],
  ) {}

  /** A valid record for `target` carrying its id in the body and in `x-test-id`. */
  record(
    target: Target,
    outcome: Outcome,
    o: { topic?: string; partition?: number; headers?: [string, Bytes][]; value?: Bytes } = {},
  ): SpecRecord & { id: string } {
    const id = `${this.name}-${this.next++}`;
    const headers = o.headers ?? [['x-bridge-target', target]];
    const record = {
      id,
      topic: o.topic ?? this.topics[0],
      partition: o.partition,
      key: `key-${id}`,
      value: o.value === undefined ? JSON.stringify(recordBody(target, id, 0)) : o.value,
      headers: [...headers, ['x-test-id', id]] as [string, Bytes][],
    };
    this.expected.set(id, outcome);
    if (outcome !== 'delivered' && outcome !== 'absent') this.sentHeaders.set(id, record.headers);
    return record;
  }

  /** Valid records for `target` to send with kcat (whose -H headers apply to every record: the id is in the body). */
  kcatRecords(
    count: number,
    target: Target,
    outcome: Outcome = 'delivered',
  ): { id: string; key: string; value: string }[] {
    return Array.from({ length: count }, () => {
      const id = `${this.name}-${this.next++}`;
      this.expected.set(id, outcome);
      return { id, key: `key-${id}`, value: JSON.stringify(recordBody(target, id, 0)) };
    });
  }

  ids(outcome?: Outcome): string[] {
    return [...this.expected].filter(([, o]) => outcome === undefined || o === outcome).map(([id]) => id);
  }

  /** Ids whose outcome is not yet what it must be (absent ones count once they appear anywhere). */
  pending(ledger: Ledger): string[] {
    ledger.poll();
    return [...this.expected].filter(([id, o]) => (o === 'absent' ? false : !ledger.done(id))).map(([id]) => id);
  }

  /** Per id: what happened, as `delivered xN` / `dlq:reason xN` / `nothing`, for a readable failure. */
  outcomes(ledger: Ledger): Record<string, string> {
    ledger.poll();
    const out: Record<string, string> = {};
    for (const [id, want] of this.expected) {
      const delivered = ledger.delivered.get(id) ?? 0;
      const letters = ledger.deadLettered.get(id) ?? [];
      const got = [delivered ? `delivered x${delivered}` : '', ...letters.map((r) => `dlq:${r}`)].filter(Boolean);
      const wanted = want === 'delivered' ? 'delivered x1' : want === 'absent' ? 'nothing' : `dlq:${want}`;
      out[id] = got.length === 0 ? 'nothing' : got.join(' ');
      if (out[id] === wanted) delete out[id];
      else out[id] += ` (want ${wanted})`;
    }
    return out;
  }
}

/** The headers a dead letter carries before its x-dlq-* ones, as [name, bytes or null]. */
export function originalHeaders(list: RecordHeaders): [string, Buffer | null][] {
  const end = list.findIndex((h) => h.key.startsWith(DLQ_HEADER_PREFIX));
  return list.slice(0, end < 0 ? list.length : end).map((h) => [h.key, h.value]);
}

export const asBytes = (headers: [string, Bytes][]): [string, Buffer | null][] =>
  headers.map(([k, v]) => [k, v === null ? null : Buffer.from(v)]);

/**
 * Partitions of `topics` where one of the bridge's groups lags, by the broker's own tool (an empty
 * partition with no committed offset does not lag).
 */
export async function laggingPartitions(groups: string[], topics: string[]): Promise<GroupLag[]> {
  const rows = (await Promise.all(groups.map((g) => brokerGroupLag(g)))).flat();
  if (!topics.every((t) => rows.some((r) => r.topic === t))) throw new Error(`no offsets of ${topics} in ${groups}`);
  return rows.filter((r) => topics.includes(r.topic) && r.lag !== 0 && !(r.lag === null && r.logEnd === 0));
}

/** The compression codec of each record batch in a partition's log, by kafka.tools.DumpLogSegments. */
export async function storedCodecs(dataDir: string, topic: string, partition: number): Promise<string[]> {
  const dir = join(dataDir, 'logs', `${topic}-${partition}`);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .map((f) => join(dir, f));
  const args = ['-cp', `${kafkaLibs()}/*`, 'kafka.tools.DumpLogSegments', '--files', files.join(',')];
  const { stdout } = await run('java', ['-Xmx256m', ...args], { maxBuffer: 16 * 1024 * 1024 });
  return [...stdout.matchAll(/compresscodec: (\w+)/g)].map((m) => m[1].toLowerCase());
}

/** Polls the broker's tool a few times until no partition of `topics` lags; returns the lagging ones. */
export async function waitLagZero(groups: string[], topics: string[]): Promise<GroupLag[]> {
  let lagging = await laggingPartitions(groups, topics);
  for (let i = 0; i < 4 && lagging.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 2_000));
    lagging = await laggingPartitions(groups, topics);
  }
  return lagging;
}

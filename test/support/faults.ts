import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Consumer } from 'kafkajs';
import { DLQ_HEADERS, RecordHeaders, Target, TARGETS } from '@app/contracts';
import { EmulatorServer } from '../../apps/emulator/src';
import type { BridgeProcess } from './bridge-process';
import { brokers, TestRecord, testKafka, uniqueName } from './kafka';
import { idOf, validRecord } from './records';

const FIGURES_FILE = join(__dirname, '../../.cache/faults/figures.jsonl');

/** A record of a fault scenario: where it will sit in Kafka, known before it is produced. */
export interface Placed {
  id: string;
  target: Target;
  partition: number;
  /** Offset in its partition, when the topic was empty before and records were produced in order. */
  offset: number;
}

/**
 * `count` valid records over `keys` keys, each key bound to one target and one partition (key k goes
 * to partition k % partitions), so the offset of every record is known in advance: a test can tell
 * after a crash which delivered records were past their group's committed offset.
 */
export function placedWorkload(
  count: number,
  keys: number,
  partitions: number,
  prefix: string,
  targets: readonly Target[] = TARGETS,
): { records: TestRecord[]; placed: Map<string, Placed> } {
  const seqs = new Array<number>(keys).fill(0);
  const next = new Array<number>(partitions).fill(0);
  const records: TestRecord[] = [];
  const placed = new Map<string, Placed>();
  for (let i = 0; i < count; i++) {
    const k = i % keys;
    const target = targets[k % targets.length];
    const partition = k % partitions;
    const id = `${prefix}${i}`;
    records.push(validRecord(target, id, `key-${k}`, seqs[k]++, partition));
    placed.set(id, { id, target, partition, offset: next[partition]++ });
  }
  return { records, placed };
}

/**
 * Counts, by record id, what the emulator accepted and what reached the DLQ topic, for the ids of one
 * scenario only (other records on the same emulator or DLQ are ignored).
 */
export class Ledger {
  /** id -> times the API accepted it */
  readonly delivered = new Map<string, number>();
  /** id -> reasons it was dead-lettered with, once per DLQ record */
  readonly deadLettered = new Map<string, string[]>();
  /** id -> the DLQ record's headers (the last one), first value of each name as text */
  readonly dlqHeaders = new Map<string, Record<string, string>>();
  /** id -> the DLQ record's headers (the last one) exactly as Kafka has them */
  readonly dlqHeaderList = new Map<string, RecordHeaders>();
  /** id -> sha256 of the DLQ record's value ('null' for a tombstone), to compare byte for byte */
  readonly dlqValueHash = new Map<string, string>();
  private readonly since = new Map<Target, number>();
  private consumer?: Consumer;
  private lastAt = 0;

  constructor(
    private readonly server: EmulatorServer,
    private readonly dlqTopic: string,
    readonly ids: ReadonlySet<string>,
    private readonly brokerList: string[] = brokers(),
  ) {
    for (const t of TARGETS) this.since.set(t, 0);
  }

  /** Starts reading the DLQ topic from its beginning. */
  async start(): Promise<this> {
    const kafka = testKafka('fault-ledger', this.brokerList);
    this.consumer = kafka.consumer({ groupId: uniqueName('ledger'), maxWaitTimeInMs: 200, maxBytes: 64 * 1048576 });
    await this.consumer.connect();
    // a topic created a moment ago may not be in every broker's metadata yet
    for (let attempt = 1; ; attempt++) {
      try {
        await this.consumer.subscribe({ topic: this.dlqTopic, fromBeginning: true });
        break;
      } catch (err) {
        if (attempt >= 10) throw err;
        await sleep(500);
      }
    }
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        const list = message.headerList ?? [];
        const headers: Record<string, string> = Object.create(null);
        for (const { key, value } of list) if (!(key in headers) && value !== null) headers[key] = value.toString();
        const id = headers['x-test-id'];
        if (id === undefined || !this.ids.has(id)) return;
        this.deadLettered.set(id, [...(this.deadLettered.get(id) ?? []), headers[DLQ_HEADERS.reason]]);
        this.dlqHeaders.set(id, headers);
        this.dlqHeaderList.set(id, list);
        this.dlqValueHash.set(id, valueHash(message.value));
      },
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
  }

  /** Takes in what the emulator accepted since the last poll. */
  poll(): void {
    for (const target of TARGETS) {
      for (;;) {
        const since = this.since.get(target)!;
        const page = this.server.received(target, since, 50_000);
        for (const e of page.entries) {
          const { id } = idOf(target, e.body);
          if (!this.ids.has(id)) continue;
          this.delivered.set(id, (this.delivered.get(id) ?? 0) + 1);
          if (e.at > this.lastAt) this.lastAt = e.at;
        }
        this.since.set(target, page.next);
        if (page.entries.length < 50_000) break;
      }
    }
  }

  /** Accepted by the API or dead-lettered, at least once. */
  done(id: string): boolean {
    return this.delivered.has(id) || this.deadLettered.has(id);
  }

  doneCount(): number {
    this.poll();
    let n = 0;
    for (const id of this.ids) if (this.done(id)) n++;
    return n;
  }

  /** When the API last accepted one of these records (ms since the epoch), 0 if never. */
  get lastDeliveryAt(): number {
    this.poll();
    return this.lastAt;
  }

  /** Waits until every id is done; returns how many are still missing when time runs out. */
  async waitAll(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const missing = this.ids.size - this.doneCount();
      if (missing === 0 || Date.now() >= deadline) return missing;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Waits until the API accepted a record of this scenario after `t` (ms since the epoch); returns when. */
  async firstDeliveryAfter(t: number, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.lastDeliveryAt > t) return this.lastAt;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no record of the scenario was delivered within ${timeoutMs} ms`);
  }

  /** lost: neither accepted nor dead-lettered; duplicates: acceptances and DLQ records beyond the first. */
  figures(): { records: number; delivered: number; deadLettered: number; lost: number; duplicates: number } {
    this.poll();
    let lost = 0;
    let duplicates = 0;
    for (const id of this.ids) {
      const times = (this.delivered.get(id) ?? 0) + (this.deadLettered.get(id)?.length ?? 0);
      if (times === 0) lost++;
      else duplicates += times - 1;
    }
    return {
      records: this.ids.size,
      delivered: this.delivered.size,
      deadLettered: this.deadLettered.size,
      lost,
      duplicates,
    };
  }

  missing(limit = 10): string[] {
    return [...this.ids].filter((id) => !this.done(id)).slice(0, limit);
  }
}

/**
 * Records the API accepted but whose group has not committed past them: exactly what a crash at this
 * instant may deliver again (docs/contract.md: "at most the records that were in flight" and not yet committed).
 */
export async function deliveredButUncommitted(
  ledger: Ledger,
  placed: Map<string, Placed>,
  topic: string,
  groupPrefix: string,
  brokerList: string[] = brokers(),
): Promise<{ count: number; ids: string[]; committed: Map<string, number> }> {
  ledger.poll();
  const kafka = testKafka('fault-offsets', brokerList);
  const admin = kafka.admin();
  await admin.connect();
  const committed = new Map<string, number>();
  try {
    for (const target of TARGETS) {
      const [offsets] = await admin.fetchOffsets({ groupId: `${groupPrefix}-${target}`, topics: [topic] });
      for (const p of offsets.partitions) committed.set(`${target}:${p.partition}`, Number(p.offset));
    }
  } finally {
    await admin.disconnect();
  }
  const ids: string[] = [];
  for (const id of ledger.delivered.keys()) {
    const p = placed.get(id)!;
    const c = committed.get(`${p.target}:${p.partition}`) ?? -1;
    if (p.offset >= Math.max(c, 0)) ids.push(id);
  }
  return { count: ids.length, ids, committed };
}

export interface ScenarioFigures {
  scenario: string;
  records: number;
  delivered: number;
  deadLettered: number;
  lost: number;
  duplicates: number;
  /** what duplicates are allowed to be */
  duplicateBound?: number | string;
  recoverMs?: number | string;
  wallMs: number;
  [more: string]: unknown;
}

/** One line per scenario in the test output, and the same line in .cache/faults/figures.jsonl. */
export function report(f: ScenarioFigures): void {
  const line = Object.entries(f)
    .map(([k, v]) => `${k}=${typeof v === 'string' && v.includes(' ') ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  console.log(`[fault] ${line}`);
  try {
    mkdirSync(join(FIGURES_FILE, '..'), { recursive: true });
    appendFileSync(FIGURES_FILE, `${JSON.stringify({ at: new Date().toISOString(), ...f })}\n`);
  } catch {
    // the figures file is a convenience; the console line is the record
  }
}

/** Keeps what a bridge wrote in .cache/faults/<name>.log, to read after a failed run. */
export function keepOutput(name: string, bridge: BridgeProcess | undefined): void {
  if (bridge === undefined) return;
  try {
    mkdirSync(join(FIGURES_FILE, '..'), { recursive: true });
    writeFileSync(join(FIGURES_FILE, '..', `${name}.log`), bridge.output());
  } catch {
    // a convenience, like the figures file
  }
}

export function valueHash(value: Buffer | string | null | undefined): string {
  if (value === null || value === undefined) return 'null';
  return createHash('sha256').update(value).digest('hex');
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Engine overhead: 200,000 records through a TargetPipeline with an instant fake sender.
// Run: npx ts-node -r tsconfig-paths/register --transpile-only libs/delivery/src/engine.bench.ts
import type { InboundRecord, SendResult } from '@app/contracts';
import { TargetPipeline } from './target-pipeline';
import type { TargetSender } from './target-sender';

const RECORDS = 200_000;
const PARTITIONS = 8;
const BATCH = 500;
const KEYS = 1000;

async function run(label: string, coalesce: boolean): Promise<void> {
  const delivered: SendResult = { outcome: 'delivered', status: 200 };
  const sender: TargetSender<unknown> = {
    target: 'cloudinsight',
    parse: (record) => ({ ok: true, body: record.value }),
    send: () => Promise.resolve(delivered),
    ...(coalesce
      ? { coalesce: { key: () => 'k', sizeOf: () => 100, maxRecords: 50, maxBytes: 1 << 20, lingerMs: 0 } }
      : {}),
  };
  const pipeline = new TargetPipeline({
    target: 'cloudinsight',
    groupId: 'bench',
    routeHeader: 'x-bridge-target',
    unroutable: true,
    sender,
    deadLetters: { write: () => Promise.resolve() },
    retry: {},
    maxInFlight: 64,
  });
  const header = [{ key: 'x-bridge-target', value: Buffer.from('cloudinsight') }];
  const value = Buffer.from('{"cw_key":"k","data":{"a":1}}');
  const keys = Array.from({ length: KEYS }, (_, i) => Buffer.from(`key-${i}`));
  const perPartition = RECORDS / PARTITIONS;
  const batches: InboundRecord[][][] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    const list: InboundRecord[][] = [];
    for (let start = 0; start < perPartition; start += BATCH) {
      const batch: InboundRecord[] = [];
      for (let o = start; o < start + BATCH; o++) {
        batch.push({
          topic: 'bench',
          partition: p,
          offset: String(o),
          key: keys[(o * 7 + p) % KEYS],
          value,
          headers: header,
          timestamp: '0',
        });
      }
      list.push(batch);
    }
    batches.push(list);
  }
  const ctx = { heartbeat: () => Promise.resolve() };
  const started = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    batches.map(async (list) => {
      for (const batch of list) await pipeline.processBatch(batch, ctx);
    }),
  );
  // processBatch returns once there is room: the last records may still be on their way.
  let committed = 0;
  for (let polls = 0; committed < RECORDS && polls < 10_000; polls++) {
    committed = pipeline.committableAll({ all: true }).reduce((n, c) => n + Number(c.offset), 0);
    if (committed < RECORDS) await new Promise((resolve) => setImmediate(resolve));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (committed !== RECORDS) throw new Error(`committed ${committed} of ${RECORDS}`);
  const cpu = process.cpuUsage(cpu0);
  const us = (cpu.user + cpu.system) / RECORDS;
  console.log(`${label}: ${RECORDS} records in ${seconds.toFixed(3)} s, ${us.toFixed(2)} µs CPU per record`);
}

async function main(): Promise<void> {
  await run('warm-up', false);
  await run('one record per call', false);
  await run('coalesced (50 per call)', true);
}

void main();

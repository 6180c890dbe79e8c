// The HTTP ceiling: the bridge's own API clients send the benchmark's records straight to the
// emulator, no Kafka, no ordering: per target `CONCURRENCY` requests at a time over a pool of as
// many connections (the bridge's BRIDGE_MAX_IN_FLIGHT), Cloud Insight bodies grouped by cw_key up
// to 100 per call (the bridge's coalescing limit). Run by bench/run.ts in its own process.
import type { Target } from '@app/contracts';
import { GuanceClient } from '@app/guance';
import { CloudInsightClient, CloudInsightRecord, DataStreamClient, DataStreamMessage } from '@app/ncp';
import type { GuanceEventBody } from '@app/guance';
import { BENCH_KEYS } from './lib/emulator';
import { benchRecord } from './lib/workload';

const url = process.env.EMULATOR_URL!;
const records = Number(process.env.RECORDS);
const concurrency = Number(process.env.CONCURRENCY ?? 64);
const COALESCE = 100;

type Job = () => Promise<{ outcome: string }>;

async function main(): Promise<void> {
  const common = { endpoint: url, timeoutMs: 30_000, connections: concurrency };
  const dataStream = new DataStreamClient({ ...common, credentials: BENCH_KEYS.ncp });
  const cloudInsight = new CloudInsightClient({ ...common, credentials: BENCH_KEYS.ncp });
  const guance = new GuanceClient({ ...common, apiKey: BENCH_KEYS.guanceApiKey });

  const jobs: Record<Target, Job[]> = { datastream: [], cloudinsight: [], guance: [] };
  const open = new Map<string, CloudInsightRecord[]>();
  const flush = (cwKey: string, data: CloudInsightRecord[]) =>
    jobs.cloudinsight.push(() => cloudInsight.sendData(cwKey, data));
  for (let id = 0; id < records; id++) {
    const { target, body } = benchRecord(id);
    if (target === 'datastream') jobs.datastream.push(() => dataStream.produce(body as unknown as DataStreamMessage));
    else if (target === 'guance') {
      jobs.guance.push(() => guance.pushEvent(body as unknown as GuanceEventBody, BENCH_KEYS.monitor));
    } else {
      const { cw_key, data } = body as { cw_key: string; data: CloudInsightRecord };
      const list = open.get(cw_key) ?? [];
      list.push(data);
      open.set(cw_key, list);
      if (list.length === COALESCE) {
        flush(cw_key, list);
        open.delete(cw_key);
      }
    }
  }
  for (const [cwKey, list] of open) flush(cwKey, list);

  let failed = 0;
  const started = Date.now();
  const worker = async (queue: Job[]) => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const result = await job();
      if (result.outcome !== 'delivered') failed++;
    }
  };
  const requests = Object.values(jobs).reduce((n, q) => n + q.length, 0);
  await Promise.all(Object.values(jobs).flatMap((queue) => Array.from({ length: concurrency }, () => worker(queue))));
  const seconds = (Date.now() - started) / 1000;
  await Promise.all([dataStream.close(), cloudInsight.close(), guance.close()]);
  console.log(JSON.stringify({ records, requests, failed, seconds }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

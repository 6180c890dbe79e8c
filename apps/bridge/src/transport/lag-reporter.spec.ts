import { BridgeMetrics } from '../ops/bridge-metrics';
import { LagReporter, type OwnedPartitions } from './lag-reporter';

/** A broker as the admin client sees it: log ends per partition, committed offsets per group. */
class FakeAdmin {
  ends: Record<string, { low: number; high: number }[]> = {};
  committed: Record<string, Record<string, number>> = {};
  failing = false;

  connect = async () => undefined;
  disconnect = async () => undefined;

  fetchTopicOffsets = async (topic: string) => {
    if (this.failing) throw new Error('broker unavailable');
    return (this.ends[topic] ?? []).map(({ low, high }, partition) => ({
      partition,
      offset: String(high),
      high: String(high),
      low: String(low),
    }));
  };

  fetchOffsets = async ({ groupId, topics }: { groupId: string; topics: string[] }) =>
    topics.map((topic) => ({
      topic,
      partitions: (this.ends[topic] ?? []).map((_, partition) => ({
        partition,
        offset: String(this.committed[groupId]?.[`${topic}:${partition}`] ?? -1),
        metadata: null,
      })),
    }));
}

async function lagSeries(metrics: BridgeMetrics): Promise<Record<string, number>> {
  const { values } = await metrics.lag.get();
  return Object.fromEntries(values.map((v) => [`${v.labels.group} ${v.labels.topic}/${v.labels.partition}`, v.value]));
}

describe('LagReporter', () => {
  let admin: FakeAdmin;
  let metrics: BridgeMetrics;
  let owned: OwnedPartitions;
  const warn = jest.fn();
  const reporter = () => new LagReporter(admin, metrics, { warn }, () => owned);

  beforeEach(() => {
    admin = new FakeAdmin();
    admin.ends.orders = [
      { low: 0, high: 100 },
      { low: 40, high: 50 },
      { low: 0, high: 7 },
    ];
    admin.committed['g-datastream'] = { 'orders:0': 90, 'orders:1': 50 };
    metrics = new BridgeMetrics();
    warn.mockReset();
  });

  it('reports only the partitions this instance owns, from the committed offset or the log start', async () => {
    owned = new Map([
      ['g-datastream', [{ topic: 'orders', partition: 0 }]],
      ['g-guance', [{ topic: 'orders', partition: 1 }]],
    ]);
    await reporter().report();
    // g-guance committed nothing on partition 1: its lag counts from the log start (40)
    expect(await lagSeries(metrics)).toEqual({ 'g-datastream orders/0': 10, 'g-guance orders/1': 10 });
  });

  it('removes the series of a partition this instance no longer owns', async () => {
    owned = new Map([['g-datastream', [0, 1, 2].map((partition) => ({ topic: 'orders', partition }))]]);
    const lag = reporter();
    await lag.report();
    expect(Object.keys(await lagSeries(metrics))).toHaveLength(3);

    owned = new Map([['g-datastream', [{ topic: 'orders', partition: 2 }]]]);
    admin.ends.orders[2].high = 9;
    await lag.report();
    expect(await lagSeries(metrics)).toEqual({ 'g-datastream orders/2': 9 });

    owned = new Map();
    await lag.report();
    expect(await lagSeries(metrics)).toEqual({});
  });

  it('keeps the last figures and logs a warning when the broker cannot be asked', async () => {
    owned = new Map([['g-datastream', [{ topic: 'orders', partition: 0 }]]]);
    const lag = reporter();
    await lag.report();
    admin.failing = true;
    await lag.report();
    expect(await lagSeries(metrics)).toEqual({ 'g-datastream orders/0': 10 });
    expect(warn).toHaveBeenCalledWith({ err: expect.any(Error) }, 'could not read consumer lag');
  });
});

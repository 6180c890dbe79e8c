import { DLQ_HEADERS, type Target } from '@app/contracts';
import { EmulatorServer } from '../apps/emulator/src';
import { BridgeProcess, killAll, startBridge } from './support/bridge-process';
import { consume, ConsumedRecord, createTopic, produce, TestRecord, withAdmin } from './support/kafka';
import { validRecord } from './support/records';
import { bridgeEnv, received, startTestEmulator, uniqueName, waitFor } from './support/stack';

const h = (r: ConsumedRecord, name: string) => r.headers?.[name]?.toString();

/** Existing topics whose records carry no route header, delivered by routes (BRIDGE_ROUTES). */
describe('routes for existing topics (real broker, emulated APIs, a deployment split by target)', () => {
  const run = uniqueName('legacy');
  const topics = { orders: `${run}.orders`, cpu: `${run}.metrics.cpu`, alerts: `${run}.alerts` };
  const routes = [
    { topic: topics.orders, target: 'datastream', datastreamTopic: 'acct-prefix-orders' },
    { topic: `${run}.metrics.*`, target: 'cloudinsight', cwKey: 'cw-legacy' },
    { topic: topics.alerts, target: 'Guance', monitor: 'ops' },
  ];
  const dlq = uniqueName('dlq');
  const group = uniqueName('bridge');
  let emulator: { url: string; server: EmulatorServer };
  let bridges: BridgeProcess[] = [];

  const plain = (prefix: string, count: number, value: (id: string, seq: number) => unknown): TestRecord[] =>
    Array.from({ length: count }, (_, i) => ({
      key: `${prefix}-${i % 5}`,
      value: JSON.stringify(value(`${prefix}${i}`, i)),
    }));
  const orders = plain('o', 60, (id, seq) => ({ id, seq }));
  const cpu = plain('m', 60, (rid, seq) => ({ rid, seq, cpu: 1.5 }));
  const alerts = plain('a', 30, (rid, seq) => ({ status: 'info', title: 'disk', ext_rid: rid, ext_seq: String(seq) }));
  const bad: (TestRecord & { topic: string; id: string; reason: string; error: string })[] = [
    {
      topic: topics.cpu,
      id: 'bad-invalid',
      key: 'm-x',
      value: '{"cpu": true}',
      reason: 'invalid',
      error: `routed by BRIDGE_ROUTES route 2 ("${run}.metrics.*" -> cloudinsight): data.cpu must be a string or a finite number`,
    },
    {
      topic: topics.orders,
      id: 'bad-binary',
      key: 'o-x',
      value: Buffer.from([0x7b, 0xff, 0xfe]),
      reason: 'malformed',
      error: `routed by BRIDGE_ROUTES route 1 ("${topics.orders}" -> datastream): the value is not valid UTF-8`,
    },
    {
      topic: topics.orders,
      id: 'bad-header',
      key: 'o-y',
      value: '{"id":"x"}',
      headers: { 'x-bridge-target': 'kinesis' },
      reason: 'unroutable',
      error: 'unknown target "kinesis"',
    },
  ];

  beforeAll(async () => {
    emulator = await startTestEmulator();
    await Promise.all([createTopic(topics.orders, 3), createTopic(topics.cpu, 2), createTopic(topics.alerts, 1)]);
    const env = (targets: string) =>
      bridgeEnv(
        emulator.url,
        { topic: Object.values(topics).join(','), dlq, group },
        { BRIDGE_TARGETS: targets, BRIDGE_UNROUTABLE_TARGET: 'datastream', BRIDGE_ROUTES: JSON.stringify(routes) },
      );
    bridges = await Promise.all([startBridge(env('datastream,guance')), startBridge(env('cloudinsight'))]);
    await Promise.all(bridges.map((b) => b.waitReady()));
  });

  afterAll(async () => {
    await killAll(bridges);
    await emulator?.server.close();
  });

  it('delivers every plain record through its route, once; the header still wins; bad ones are dead-lettered naming the route', async () => {
    const mixed = [
      { topic: topics.orders, record: validRecord('guance', 'h-guance', 'o-1', 0) },
      { topic: topics.alerts, record: validRecord('datastream', 'h-datastream', 'a-1', 0) },
    ];
    await Promise.all([
      produce(topics.orders, [...orders, mixed[0].record]),
      produce(topics.cpu, cpu),
      produce(topics.alerts, [...alerts, mixed[1].record]),
      ...bad.map(({ topic, id, reason: _r, error: _e, ...record }) =>
        produce(topic, [{ ...record, headers: { ...record.headers, 'x-test-id': id } }]),
      ),
    ]);
    const expected: Record<Target, string[]> = {
      datastream: [...orders.map((_, i) => `o${i}`), 'h-datastream'],
      cloudinsight: cpu.map((_, i) => `m${i}`),
      guance: [...alerts.map((_, i) => `a${i}`), 'h-guance'],
    };
    const ids = (target: Target) => received(emulator.server, target).map((r) => r.id);
    await waitFor('every routed and header record at its API', () =>
      (Object.keys(expected) as Target[]).every((t) => ids(t).length >= expected[t].length),
    );
    const letters = await consume(dlq, bad.length, 60_000);
    // Everything is committed by every group: nothing more can arrive, so counts are final.
    await waitFor('every group committed every topic', () =>
      withAdmin(async (admin) => {
        for (const topic of Object.values(topics)) {
          const ends = await admin.fetchTopicOffsets(topic);
          for (const target of ['datastream', 'cloudinsight', 'guance']) {
            const [{ partitions }] = await admin.fetchOffsets({ groupId: `${group}-${target}`, topics: [topic] });
            if (ends.some((e) => partitions.find((p) => p.partition === e.partition)?.offset !== e.high)) return false;
          }
        }
        return true;
      }),
    );
    for (const target of Object.keys(expected) as Target[]) expect(ids(target).sort()).toEqual(expected[target].sort());
    expect(emulator.server.received('guance', 0, 1000).entries.filter((e) => e.monitor === 'ops').length).toBe(
      alerts.length,
    ); // the route's monitor; the header record went to the default one
    const first = emulator.server
      .received('datastream', 0, 1000)
      .entries.find((e) => (e.body as { value: string }).value.includes('"o0"'));
    expect(first?.body).toEqual({ topic: 'acct-prefix-orders', key: 'o-0', value: '{"id":"o0","seq":0}' });

    const all = await consume(dlq, bad.length + 1, 3_000);
    expect(all).toHaveLength(bad.length); // once each, not once per group or deployment
    for (const b of bad) {
      const letter = letters.find((l) => h(l, 'x-test-id') === b.id)!;
      expect(h(letter, DLQ_HEADERS.reason)).toBe(b.reason);
      expect(h(letter, DLQ_HEADERS.error)).toBe(b.error);
      expect(letter.value).toEqual(Buffer.from(b.value as Buffer | string));
    }
    // The datastream+guance deployment counts what its routes send to Cloud Insight, delivered elsewhere.
    const metrics = (await bridges[0].get('/metrics')).body;
    expect(metrics).toContain(`bridge_records_elsewhere_total{target="cloudinsight"} ${cpu.length + 1}`);
  });
});

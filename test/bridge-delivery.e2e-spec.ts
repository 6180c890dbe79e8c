import { DLQ_HEADERS } from '@app/contracts';
import { EmulatorServer } from '../apps/emulator/src';
import { BridgeProcess, startBridge } from './support/bridge-process';
import { ConsumedRecord, consume, produce, TestRecord, withAdmin } from './support/kafka';
import { validRecord, workload } from './support/records';
import { bridgeEnv, freshScenario, received, secretValues, startTestEmulator, waitFor } from './support/stack';

const h = (r: ConsumedRecord, name: string) => r.headers?.[name]?.toString();

describe('the bridge delivers and dead-letters (real broker, emulated APIs)', () => {
  let emulator: { url: string; server: EmulatorServer };
  let bridge: BridgeProcess;
  let s: { topic: string; dlq: string; group: string };

  beforeAll(async () => {
    emulator = await startTestEmulator();
    s = await freshScenario(4);
    bridge = await startBridge(bridgeEnv(emulator.url, s, { BRIDGE_MAX_IN_FLIGHT: '16' }));
    await bridge.waitReady();
  });

  afterAll(async () => {
    await bridge?.kill('SIGKILL');
    await emulator?.server.close();
  });

  it('delivers records of all three targets, signed and valid, in per-key order across many keys', async () => {
    const records = workload(3000, 90, ['datastream', 'cloudinsight', 'guance'], 'ok');
    await produce(s.topic, records);
    await waitFor('all 3000 records at the emulator', () => {
      const st = emulator.server.stats();
      return st.datastream.accepted + st.cloudinsight.accepted + st.guance.accepted >= 3000;
    });
    const stats = emulator.server.stats();
    // signatures, API key and bodies were all accepted: nothing was refused or ignored
    for (const api of ['datastream', 'cloudinsight', 'guance'] as const) {
      expect(stats[api].rejected).toBe(0);
      expect(stats[api].ignored).toBe(0);
    }
    expect(stats.datastream.accepted + stats.cloudinsight.accepted + stats.guance.accepted).toBe(3000);

    for (const target of ['datastream', 'cloudinsight', 'guance'] as const) {
      const got = received(emulator.server, target);
      expect(new Set(got.map((g) => g.id)).size).toBe(got.length);
      // per key (one key = one target, ids carry their key's sequence), sequences arrive in order
      const byKey = new Map<number, number[]>();
      for (const g of got) {
        const key = Number(g.id.slice(2)) % 90;
        byKey.set(key, [...(byKey.get(key) ?? []), g.seq]);
      }
      for (const seqs of byKey.values()) expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
    // Cloud Insight records of one cw_key were coalesced into fewer calls than records
    expect(stats.cloudinsight.requests).toBeLessThan(stats.cloudinsight.accepted);
  });

  it('sends a Guance record to the monitor its x-guance-monitor header names', async () => {
    const rec = validRecord('guance', 'mon-1', 'm', 0);
    await produce(s.topic, [{ ...rec, headers: { ...rec.headers, 'x-guance-monitor': 'ops' } }]);
    await waitFor('the ops monitor event', () =>
      emulator.server.received('guance', 0, 1_000_000).entries.some((e) => e.monitor === 'ops'),
    );
  });

  it('dead-letters every kind of bad record with its reason, keeping it byte for byte, without blocking', async () => {
    const notUtf8 = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    const bad: (TestRecord & { id: string; reason: string; target?: string })[] = [
      { id: 'no-header', reason: 'unroutable', key: 'b1', value: '{"a":1}', headers: {} },
      { id: 'unknown', reason: 'unroutable', key: 'b2', value: '{}', headers: { 'x-bridge-target': 'kinesis' } },
      {
        id: 'not-json',
        reason: 'malformed',
        target: 'guance',
        key: 'b3',
        value: '{"event":',
        headers: { 'x-bridge-target': 'guance' },
      },
      {
        id: 'not-utf8',
        reason: 'malformed',
        target: 'datastream',
        key: notUtf8,
        value: notUtf8,
        headers: { 'x-bridge-target': 'datastream', bin: notUtf8 },
      },
      {
        id: 'tombstone',
        reason: 'malformed',
        target: 'cloudinsight',
        key: 'b5',
        value: null,
        headers: { 'x-bridge-target': 'cloudinsight' },
      },
      {
        id: 'invalid',
        reason: 'invalid',
        target: 'guance',
        key: 'b6',
        value: '{"event":{"status":"fine"}}',
        headers: { 'x-bridge-target': 'guance' },
      },
      {
        id: 'no-monitor',
        reason: 'invalid',
        target: 'guance',
        key: 'b7',
        value: '{"event":{"status":"ok"}}',
        headers: { 'x-bridge-target': 'guance', 'x-guance-monitor': 'nope' },
      },
    ];
    const good = workload(200, 10, ['datastream', 'cloudinsight', 'guance'], 'after');
    const sent = bad.map((b) => ({ ...b, headers: { ...b.headers, 'x-test-id': b.id }, timestamp: '1700000000000' }));
    await produce(s.topic, [...sent, ...good]);

    const dlq = await consume(s.dlq, bad.length, 60_000);
    expect(dlq.map((r) => h(r, 'x-test-id')).sort()).toEqual(bad.map((b) => b.id).sort());
    for (const b of bad) {
      const r = dlq.find((d) => h(d, 'x-test-id') === b.id)!;
      expect(h(r, DLQ_HEADERS.reason)).toBe(b.reason);
      expect(h(r, DLQ_HEADERS.target)).toBe(b.target);
      expect(h(r, DLQ_HEADERS.sourceTopic)).toBe(s.topic);
      expect(Number(h(r, DLQ_HEADERS.sourcePartition))).toBeGreaterThanOrEqual(0);
      expect(h(r, DLQ_HEADERS.sourceOffset)).toMatch(/^\d+$/);
      expect(h(r, DLQ_HEADERS.consumerGroup)).toBe(`${s.group}-${b.target ?? 'datastream'}`);
      expect(h(r, DLQ_HEADERS.error)?.length).toBeGreaterThan(0);
      expect(r.timestamp).toBe('1700000000000');
      const orig = sent.find((x) => x.id === b.id)!;
      expect(r.key).toEqual(orig.key === null ? null : Buffer.from(orig.key as Buffer | string));
      expect(r.value).toEqual(orig.value === null ? null : Buffer.from(orig.value as Buffer | string));
    }
    const binary = dlq.find((d) => h(d, 'x-test-id') === 'not-utf8')!;
    expect(binary.headers?.bin).toEqual(notUtf8);
    expect(
      h(
        dlq.find((d) => h(d, 'x-test-id') === 'invalid')!,
        DLQ_HEADERS.error,
      ),
    ).toContain('event.status');

    // the good records behind the bad ones were all delivered
    const deliveredIds = () =>
      new Set(
        (['datastream', 'cloudinsight', 'guance'] as const).flatMap((t) =>
          received(emulator.server, t).map((g) => g.id),
        ),
      );
    await waitFor('every good record behind the bad ones', () => {
      const ids = deliveredIds();
      return good.every((_, i) => ids.has(`after${i}`));
    });
  });

  it('dead-letters a record the API rejects for good (permanent 4xx) with its HTTP status', async () => {
    emulator.server.setFault({ api: 'datastream', status: 400, times: 1 });
    await produce(s.topic, [{ ...validRecord('datastream', 'rejected-1', 'rj', 0), timestamp: '1700000000001' }]);
    const dlq = await consume(s.dlq, 8, 60_000);
    const r = dlq.find((d) => h(d, 'x-test-id') === 'rejected-1');
    expect(r).toBeDefined();
    expect(h(r!, DLQ_HEADERS.reason)).toBe('rejected');
    expect(h(r!, DLQ_HEADERS.httpStatus)).toBe('400');
    expect(h(r!, DLQ_HEADERS.attempts)).toBe('1');
    expect(new Date(h(r!, DLQ_HEADERS.lastFailure)!).getTime()).toBeGreaterThan(Date.now() - 120_000);
  });

  it('commits what it delivered and never writes a secret to logs or DLQ headers', async () => {
    await waitFor('committed offsets at the end of the topic', async () => {
      const committed = await withAdmin((a) => a.fetchOffsets({ groupId: `${s.group}-datastream`, topics: [s.topic] }));
      const ends = await withAdmin((a) => a.fetchTopicOffsets(s.topic));
      return ends.every((e) => committed[0].partitions.find((p) => p.partition === e.partition)?.offset === e.high);
    });
    const dlq = await consume(s.dlq, 8, 30_000);
    const text =
      bridge.output() +
      dlq
        .map((r) => JSON.stringify(r.headers, (_k, v) => (v?.type === 'Buffer' ? Buffer.from(v.data).toString() : v)))
        .join('\n');
    for (const secret of secretValues()) expect(text).not.toContain(secret);
  });
});

import { DLQ_HEADERS } from '@app/contracts';
import type { EmulatorServer } from '../../apps/emulator/src';
import { BridgeProcess, startBridge } from '../support/bridge-process';
import { Ledger, report, valueHash } from '../support/faults';
import { testKafka, TestRecord, uniqueName, withAdmin } from '../support/kafka';
import { workload } from '../support/records';
import { bridgeEnv, secretValues, startTestEmulator } from '../support/stack';
import { badCorpus, FIVE_MB } from './bad-input.corpus';

const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

/**
 * docs/contract.md: permanent failures are dead-lettered at once, with their reason, byte for byte, and
 * never block the partition. A corpus of more than 1,000 bad records is interleaved with good ones;
 * the bridge must survive all of it, dead-letter each bad record exactly as docs/contract.md says and deliver
 * every good record. The source topic accepts 8 MiB records (for the 5 MB values); the DLQ topic is
 * left for the bridge to create, as in production.
 */
describe('bad input: a corpus of 1,000+ bad records among good ones', () => {
  let emulator: { url: string; server: EmulatorServer };
  let bridge: BridgeProcess;

  afterAll(async () => {
    await bridge?.kill('SIGKILL');
    await emulator?.server.close();
  });

  it('dead-letters every bad record with the right reason, never crashes, keeps delivering the rest', async () => {
    emulator = await startTestEmulator();
    const s = { topic: uniqueName('in-bad'), dlq: uniqueName('dlq-bad'), group: uniqueName('bridge') };
    await withAdmin((a) =>
      a.createTopics({
        topics: [
          {
            topic: s.topic,
            numPartitions: 4,
            configEntries: [{ name: 'max.message.bytes', value: String(MAX_MESSAGE_BYTES) }],
          },
        ],
        waitForLeaders: true,
      }),
    );
    bridge = await startBridge(bridgeEnv(emulator.url, s, { BRIDGE_MAX_IN_FLIGHT: '16', LOG_LEVEL: 'warn' }));
    await bridge.waitReady();

    const bad = badCorpus(1000);
    const good = workload(3000, 60, ['datastream', 'cloudinsight', 'guance'], 'good');
    const ids = new Set([...bad.map((b) => b.id), ...good.map((_, i) => `good${i}`)]);
    const ledger = await new Ledger(emulator.server, s.dlq, ids).start();

    // interleaved: a slice of good records after every slice of bad ones, big values on their own
    const start = Date.now();
    const producer = testKafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const send = (messages: TestRecord[]) => producer.send({ topic: s.topic, acks: -1, messages });
    const small = bad.filter((b) => (b.value?.length ?? 0) < 256 * 1024);
    const large = bad.filter((b) => (b.value?.length ?? 0) >= 256 * 1024);
    const slices = 20;
    for (let i = 0; i < slices; i++) {
      await send(small.filter((_, j) => j % slices === i));
      for (const b of large.filter((_, j) => j % slices === i)) await send([b]);
      await send(good.filter((_, j) => j % slices === i));
    }
    await producer.disconnect();

    const missing = await ledger.waitAll(180_000);
    const done = Date.now();
    const f = ledger.figures();
    const live = await bridge.get('/health/live').catch(() => ({ status: 0 }));
    const kinds = new Set(bad.map((b) => b.kind));
    report({
      scenario: 'bad-input-corpus',
      ...f,
      bad: bad.length,
      kinds: kinds.size,
      fiveMb: bad.filter((b) => (b.value?.length ?? 0) >= FIVE_MB).length,
      good: good.length,
      duplicateBound: 0,
      wallMs: done - start,
    });
    await ledger.stop();
    if (missing > 0) console.log(`[fault] bridge output, last lines:\n${bridge.output().slice(-4000)}`);

    expect(bad.length).toBeGreaterThanOrEqual(1000);
    expect(ledger.missing()).toEqual([]);
    expect(missing).toBe(0);
    expect(f.lost).toBe(0);
    expect(f.duplicates).toBe(0);
    // the process never crashed or restarted
    expect(bridge.proc.exitCode).toBeNull();
    expect(live.status).toBe(200);
    // every good record delivered, none dead-lettered
    for (let i = 0; i < good.length; i++) expect(ledger.delivered.has(`good${i}`)).toBe(true);
    // every bad record in the DLQ once, with its reason, target and its value byte for byte
    const wrong = bad
      .map((b) => {
        const h = ledger.dlqHeaders.get(b.id);
        const got = { reason: h?.[DLQ_HEADERS.reason], target: h?.[DLQ_HEADERS.target] };
        return got.reason === b.reason && got.target === b.target && !ledger.delivered.has(b.id)
          ? undefined
          : `${b.id}: want ${b.reason}/${b.target}, got ${got.reason}/${got.target}`;
      })
      .filter(Boolean);
    expect(wrong).toEqual([]);
    const altered = bad.filter((b) => ledger.dlqValueHash.get(b.id) !== valueHash(b.value)).map((b) => b.id);
    expect(altered).toEqual([]);
    const text = bridge.output() + [...ledger.dlqHeaders.values()].map((h) => JSON.stringify(h)).join('\n');
    for (const secret of secretValues()) expect(text).not.toContain(secret);
  }, 420_000);
});

import { Kafka, logLevel } from 'kafkajs';
import { LocalKafka, startKafka } from '../../tools/kafka/broker';
import type { EmulatorServer } from '../../apps/emulator/src';
import { BridgeProcess, startBridge } from '../support/bridge-process';
import { deliveredButUncommitted, Ledger, placedWorkload, report, sleep } from '../support/faults';
import { uniqueName } from '../support/kafka';
import { bridgeEnv, startTestEmulator } from '../support/stack';

const RECORDS = 20_000;
const DOWN_MS = 10_000;

/**
 * The broker is stopped (clean shutdown) mid-run and started again on the same port and data 10 s
 * later, under a running bridge. The scenario has its own broker: the shared one must not go away
 * under other suites. Nothing may be lost; the bridge may re-send what it delivered but could not
 * commit while the broker was away.
 */
describe('the broker stopped and restarted mid-run', () => {
  let kafka: LocalKafka;
  let emulator: { url: string; server: EmulatorServer };
  let bridge: BridgeProcess | undefined;

  afterAll(async () => {
    await bridge?.kill('SIGKILL');
    await emulator?.server.close();
    await kafka?.stop();
  });

  it('loses nothing; the bridge resumes on its own once the broker is back', async () => {
    kafka = await startKafka({ heap: '512m' });
    const brokerList = [kafka.brokers];
    const admin = new Kafka({ brokers: brokerList, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const s = { topic: uniqueName('in'), dlq: uniqueName('dlq'), group: uniqueName('bridge') };
    await admin.createTopics({
      topics: [
        { topic: s.topic, numPartitions: 6 },
        { topic: s.dlq, numPartitions: 1 },
      ],
      waitForLeaders: true,
    });
    await admin.disconnect();
    const { records, placed } = placedWorkload(RECORDS, 300, 6, 'br');
    const producer = new Kafka({ brokers: brokerList, logLevel: logLevel.NOTHING }).producer({
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    for (let i = 0; i < records.length; i += 1000) {
      await producer.send({ topic: s.topic, acks: -1, messages: records.slice(i, i + 1000) });
    }
    await producer.disconnect();

    emulator = await startTestEmulator();
    const ledger = await new Ledger(emulator.server, s.dlq, new Set(placed.keys()), brokerList).start();
    const start = Date.now();
    bridge = await startBridge(
      bridgeEnv(emulator.url, s, { KAFKA_BROKERS: kafka.brokers, BRIDGE_MAX_IN_FLIGHT: '16', LOG_LEVEL: 'warn' }),
    );
    while (ledger.doneCount() < RECORDS * 0.3) await sleep(100);

    const haltAt = Date.now();
    const doneAtHalt = ledger.doneCount();
    const { committed } = await deliveredButUncommitted(ledger, placed, s.topic, s.group, brokerList);
    await kafka.halt();
    const downAt = Date.now();
    await sleep(DOWN_MS);
    const doneWhenBack = ledger.doneCount();
    await kafka.restart();
    // Nothing could be committed while the broker was away: every record delivered past the commits
    // of before the halt, up to the broker's return, may be fetched and sent again.
    ledger.poll();
    const uncommittedAtHalt = [...ledger.delivered.keys()].filter((id) => {
      const p = placed.get(id)!;
      return p.offset >= (committed.get(`${p.target}:${p.partition}`) ?? 0);
    }).length;
    const backAt = Date.now();
    const missing = await ledger.waitAll(240_000);
    // Recovered = every record delivered and committed: until then a rejoin may send records again.
    let uncommitted = -1;
    const deadline = Date.now() + 240_000;
    while (Date.now() < deadline) {
      uncommitted = await deliveredButUncommitted(ledger, placed, s.topic, s.group, brokerList)
        .then((u) => u.count)
        .catch(() => -1);
      if (uncommitted === 0) break;
      await sleep(1000);
    }
    const done = Date.now();
    const f = ledger.figures();
    report({
      scenario: 'broker-stop-restart-10s-20k',
      ...f,
      duplicateBound: uncommittedAtHalt,
      deliveredUncommittedAtHalt: uncommittedAtHalt,
      deliveredWhileDown: doneWhenBack - doneAtHalt,
      haltMs: downAt - haltAt,
      brokerRestartMs: backAt - downAt - DOWN_MS,
      recoverMs: done - backAt,
      wallMs: done - start,
    });
    await ledger.stop();
    expect(missing).toBe(0);
    expect(f.lost).toBe(0);
    expect(f.deadLettered).toBe(0);
    expect(uncommitted).toBe(0);
    expect(f.duplicates).toBeLessThanOrEqual(uncommittedAtHalt);
    expect(bridge.proc.exitCode).toBeNull();
  }, 600_000);
});

import { DLQ_HEADERS, Target } from '@app/contracts';
import { EmulatorServer } from '../apps/emulator/src';
import { BridgeProcess, startBridge } from './support/bridge-process';
import { consume, consumeUntil, produce, withAdmin } from './support/kafka';
import { validRecord, workload } from './support/records';
import { bridgeEnv, freshScenario, received, startTestEmulator, waitFor } from './support/stack';

const TARGETS: Target[] = ['datastream', 'cloudinsight', 'guance'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the bridge through outages, rate limits, crashes and shutdowns', () => {
  let emulator: { url: string; server: EmulatorServer };
  const bridges: BridgeProcess[] = [];
  const launch = async (env: Record<string, string>) => {
    const b = await startBridge(env);
    bridges.push(b);
    return b;
  };

  beforeAll(async () => {
    emulator = await startTestEmulator();
  });
  afterEach(async () => {
    await Promise.all(bridges.splice(0).map((b) => b.kill('SIGKILL')));
    emulator.server.clearFaults();
    emulator.server.reset();
  });
  afterAll(() => emulator?.server.close());

  it('rides out a 60 s outage of one API: nothing dead-lettered, the other two undelayed, all delivered after', async () => {
    const s = await freshScenario(4);
    const bridge = await launch(bridgeEnv(emulator.url, s, { BRIDGE_MAX_IN_FLIGHT: '16' }));
    await bridge.waitReady();

    const outageMs = 60_000;
    emulator.server.setFault({ api: 'cloudinsight', status: 503, forMs: outageMs });
    const outageEnds = Date.now() + outageMs;
    await produce(s.topic, workload(600, 60, TARGETS, 'a'));
    await sleep(20_000);
    await produce(s.topic, workload(600, 60, TARGETS, 'b'));

    // Data Stream and Guance get all of theirs while Cloud Insight is still down
    await waitFor('the other two APIs to receive their records', () =>
      (['datastream', 'guance'] as const).every((t) => received(emulator.server, t).length >= 400),
    );
    expect(Date.now()).toBeLessThan(outageEnds);
    expect(received(emulator.server, 'cloudinsight')).toHaveLength(0);
    const metrics = (await bridge.get('/metrics')).body;
    expect(metrics).toMatch(/bridge_target_paused\{target="cloudinsight"\} 1/);
    expect(metrics).toMatch(/bridge_target_paused\{target="datastream"\} 0/);
    // the records waiting in Kafka show as the Cloud Insight group's lag
    const lag = [...metrics.matchAll(/bridge_consumer_lag\{group="([^"]+)",[^}]*\} (\d+)/g)]
      .filter(([, group]) => group === `${s.group}-cloudinsight`)
      .reduce((n, m) => n + Number(m[2]), 0);
    expect(lag).toBeGreaterThan(0);

    // after the outage every Cloud Insight record arrives, none was dead-lettered
    await waitFor(
      'every Cloud Insight record after the outage',
      () => received(emulator.server, 'cloudinsight').length >= 400,
      outageMs + 60_000,
    );
    const ci = received(emulator.server, 'cloudinsight');
    expect(new Set(ci.map((r) => r.id)).size).toBe(400);
    expect(Math.min(...ci.map((r) => r.at))).toBeGreaterThanOrEqual(outageEnds - 1000);
    expect(await consume(s.dlq, 1, 3_000)).toHaveLength(0);
  });

  it('refuses to start when a topic of BRIDGE_TOPICS does not exist, naming it in one line', async () => {
    const s = await freshScenario(1);
    const bridge = await launch(bridgeEnv(emulator.url, s, { BRIDGE_TOPICS: `${s.topic},no-such-topic-7f3a` }));
    expect(await bridge.exited).toBe(1);
    const failures = bridge
      .output()
      .split('\n')
      .filter((line) => line.startsWith('kafka-ncp-bridge failed to start'));
    expect(failures).toEqual([
      'kafka-ncp-bridge failed to start: BRIDGE_TOPICS names topics that do not exist: no-such-topic-7f3a (create them, or fix BRIDGE_TOPICS)',
    ]);
  });

  it('waits out a 429 with Retry-After: 2 and dead-letters nothing', async () => {
    const s = await freshScenario(1);
    const bridge = await launch(bridgeEnv(emulator.url, s));
    await bridge.waitReady();
    emulator.server.setFault({ api: 'datastream', status: 429, retryAfter: 2, times: 1 });
    const sentAt = Date.now();
    await produce(s.topic, [validRecord('datastream', 'ra-1', 'k', 0)]);
    await waitFor('the record after Retry-After', () => received(emulator.server, 'datastream').length === 1, 30_000);
    const [got] = received(emulator.server, 'datastream');
    expect(emulator.server.stats().datastream.statuses['429']).toBe(1);
    expect(got.at - sentAt).toBeGreaterThanOrEqual(2000);
    expect(await consume(s.dlq, 1, 3_000)).toHaveLength(0);
  });

  it('loses nothing when SIGKILLed mid-run; duplicates are only records past the committed offsets', async () => {
    const s = await freshScenario(4);
    const total = 20_000;
    const records = workload(total, 1000, TARGETS, 'k');
    const bad = Array.from({ length: 50 }, (_, i) => ({
      key: `bad${i}`,
      value: 'nope',
      headers: { 'x-bridge-target': 'guance', 'x-test-id': `bad${i}` },
    }));
    await produce(s.topic, [...records, ...bad]);
    const env = bridgeEnv(emulator.url, s, { BRIDGE_MAX_IN_FLIGHT: '64' });
    const accepted = () => TARGETS.reduce((n, t) => n + emulator.server.stats()[t].accepted, 0);

    const first = await launch(env);
    await waitFor('a quarter of the run', () => accepted() >= total / 4, 120_000);
    await first.kill('SIGKILL');
    const atKill = accepted();
    const committed = await withAdmin(async (a) =>
      Object.fromEntries(
        await Promise.all(
          TARGETS.map(
            async (t) =>
              [t, (await a.fetchOffsets({ groupId: `${s.group}-${t}`, topics: [s.topic] }))[0].partitions] as const,
          ),
        ),
      ),
    );

    const second = await launch(env);
    await second.waitReady();
    const deliveredIds = () => new Set(TARGETS.flatMap((t) => received(emulator.server, t).map((r) => r.id)));
    await waitFor('every record delivered', () => deliveredIds().size >= total, 240_000).catch((err) => {
      throw new Error(`${err.message}: ${deliveredIds().size} of ${total} delivered\n${second.output().slice(-3000)}`);
    });

    const ids = TARGETS.flatMap((t) => received(emulator.server, t).map((r) => r.id));
    const unique = new Set(ids);
    const duplicates = ids.length - unique.size;
    expect(unique.size).toBe(total);
    // letters written before the kill but not committed are written again: count distinct ids
    const letterIds = (read: { headers?: Record<string, unknown> }[]) =>
      new Set(read.map((r) => String(r.headers?.['x-test-id'])));
    const dlq = await consumeUntil(s.dlq, (read) => letterIds(read).size >= bad.length, 60_000);
    expect(letterIds(dlq).size).toBe(bad.length);
    expect(dlq.every((r) => r.headers?.[DLQ_HEADERS.reason]?.toString() === 'malformed')).toBe(true);

    // only records the first bridge had not committed can come twice: bounded by what it had
    // delivered past its committed offsets when it was killed
    const committedCount = Object.values(committed).reduce(
      (n, parts) => n + parts.reduce((m, p) => m + Math.max(0, Number(p.offset)), 0),
      0,
    );
    console.log(
      `SIGKILL run: ${total} records, ${atKill} delivered before the kill, lost 0, duplicates ${duplicates}, DLQ letters ${dlq.length} for ${bad.length} bad records`,
    );
    expect(duplicates).toBeLessThanOrEqual(Math.max(0, atKill - committedCount / TARGETS.length) + 64 * TARGETS.length);
  }, 420_000);

  it('is ready only between joining and shutdown; SIGTERM drains, exits 0, and a restart re-delivers nothing', async () => {
    const s = await freshScenario(2);
    const env = bridgeEnv(emulator.url, s, { BRIDGE_SHUTDOWN_TIMEOUT_MS: '5000' });
    const bridge = await launch(env);
    let sawNotReady = false;
    await waitFor('the ops port', async () => {
      const r = await bridge.get('/health/ready').catch(() => undefined);
      if (r?.status === 503) sawNotReady = true;
      return r?.status === 200;
    });
    expect(sawNotReady).toBe(true);
    expect((await bridge.get('/health/live')).status).toBe(200);

    emulator.server.setFault({ api: 'guance', latencyMs: 300 });
    await produce(s.topic, workload(3000, 100, TARGETS, 't'));
    await waitFor('deliveries under way', () => received(emulator.server, 'datastream').length > 200);

    const stoppedAt = Date.now();
    bridge.proc.kill('SIGTERM');
    // the first probes may still be answered before the signal is handled
    let readyDuringShutdown: number | undefined = 200;
    while (readyDuringShutdown === 200 && Date.now() - stoppedAt < 3000) {
      readyDuringShutdown = (await bridge.get('/health/ready').catch(() => undefined))?.status;
    }
    expect(readyDuringShutdown).toBe(503);
    expect(await bridge.exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(5000 + 10_000);

    // ids of this scenario only ('t' prefix): the emulator outlives the other scenarios' bridges
    const ids = () =>
      TARGETS.flatMap((t) => received(emulator.server, t).map((r) => r.id)).filter((id) => id.startsWith('t'));
    const before = ids();
    expect(new Set(before).size).toBe(before.length);
    emulator.server.clearFaults();
    const again = await launch(env);
    await again.waitReady();
    await waitFor(
      'the rest of the records',
      () => TARGETS.reduce((n, t) => n + received(emulator.server, t).length, 0) >= 3000,
      120_000,
    );
    await sleep(2000);
    const all = TARGETS.flatMap((t) => received(emulator.server, t).map((r) => r.id));
    expect(all).toHaveLength(3000);
    expect(new Set(all).size).toBe(3000);
  });
});

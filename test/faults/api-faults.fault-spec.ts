import type { EmulatorServer } from '../../apps/emulator/src';
import type { FaultSpec } from '../../apps/emulator/src/faults';
import { BridgeProcess, startBridge } from '../support/bridge-process';
import { Ledger, placedWorkload, report, sleep } from '../support/faults';
import { produce } from '../support/kafka';
import { bridgeEnv, freshScenario, startTestEmulator } from '../support/stack';

const TARGETS = ['datastream', 'cloudinsight', 'guance'] as const;
const PER_SCENARIO = 1500;

/**
 * API faults against one running bridge: each scenario produces its own records (own id prefix)
 * and checks by id that every one reached the API or the DLQ. The retry deadline is the default
 * 15 minutes, so none of these outages may dead-letter anything.
 */
describe('API faults: outage, 429 storm, connection resets, an API slower than the timeout', () => {
  let emulator: { url: string; server: EmulatorServer };
  let bridge: BridgeProcess;
  let s: { topic: string; dlq: string; group: string };

  beforeAll(async () => {
    emulator = await startTestEmulator();
    s = await freshScenario(4);
    bridge = await startBridge(bridgeEnv(emulator.url, s, { BRIDGE_MAX_IN_FLIGHT: '16', LOG_LEVEL: 'warn' }));
    await bridge.waitReady();
  });

  afterAll(async () => {
    await bridge?.kill('SIGKILL');
    await emulator?.server.close();
  });

  /** Produces a scenario's records under `faults`, lifted after `faultMs`; returns its ledger and times. */
  async function run(name: string, faults: Omit<FaultSpec, 'forMs'>[], faultMs: number) {
    const { records, placed } = placedWorkload(PER_SCENARIO, 60, 4, `${name}-`);
    const ledger = await new Ledger(emulator.server, s.dlq, new Set(placed.keys())).start();
    const before = emulator.server.stats();
    const start = Date.now();
    for (const f of faults) emulator.server.setFault({ ...f, forMs: faultMs });
    await produce(s.topic, records);
    await sleep(start + faultMs - Date.now());
    const faultEnd = Date.now();
    const during = emulator.server.stats();
    return { ledger, placed, start, faultEnd, before, during };
  }

  it('an API down for 60 s, then back: the others keep flowing, nothing is dead-lettered or lost', async () => {
    const { records, placed } = placedWorkload(PER_SCENARIO, 60, 4, 'outage-');
    const ledger = await new Ledger(emulator.server, s.dlq, new Set(placed.keys())).start();
    const start = Date.now();
    emulator.server.setFault({ api: 'datastream', status: 503, forMs: 60_000 });
    await produce(s.topic, records);
    const others = [...placed.values()].filter((p) => p.target !== 'datastream').map((p) => p.id);
    // Targets are isolated: the other two APIs get all their records while Data Stream is down.
    while (Date.now() < start + 60_000 && !others.every((id) => ledger.done(id))) {
      ledger.poll();
      await sleep(250);
    }
    const othersDoneAt = Date.now();
    expect(others.every((id) => ledger.done(id))).toBe(true);
    const dsDuringOutage = [...placed.values()].filter((p) => p.target === 'datastream' && ledger.done(p.id));
    expect(dsDuringOutage).toHaveLength(0);

    await sleep(start + 60_000 - Date.now());
    const back = Date.now();
    const firstAfter = await ledger.firstDeliveryAfter(back, 60_000);
    expect(await ledger.waitAll(120_000)).toBe(0);
    const allDone = Date.now();
    const f = ledger.figures();
    const stats = emulator.server.stats();
    report({
      scenario: 'api-down-60s',
      ...f,
      duplicateBound: 0,
      recoverMs: firstAfter - back,
      backlogDrainedMs: allDone - back,
      othersDoneMs: othersDoneAt - start,
      datastream503: stats.datastream.statuses['503'] ?? 0,
      wallMs: allDone - start,
    });
    await ledger.stop();
    expect(f.lost).toBe(0);
    expect(f.deadLettered).toBe(0);
    // 503s are answered before the emulator accepts anything: a retry never doubles a record
    expect(f.duplicates).toBe(0);
  });

  it('429 storms with Retry-After on every API: all delivered, none dead-lettered', async () => {
    const faults = TARGETS.map((api) => ({ api, rateLimit: true, retryAfter: 1, everyNth: 2 }));
    const r = await run('storm', faults, 20_000);
    const firstAfter = await r.ledger.firstDeliveryAfter(r.faultEnd, 60_000).catch(() => r.faultEnd);
    expect(await r.ledger.waitAll(120_000)).toBe(0);
    const done = Date.now();
    const f = r.ledger.figures();
    const limited =
      r.during.datastream.statuses['429'] -
      (r.before.datastream.statuses['429'] ?? 0) +
      (r.during.cloudinsight.statuses['429'] ?? 0) -
      (r.before.cloudinsight.statuses['429'] ?? 0) +
      (r.during.guance.statuses['401'] ?? 0) -
      (r.before.guance.statuses['401'] ?? 0);
    report({
      scenario: '429-storm-retry-after-1s',
      ...f,
      duplicateBound: 0,
      rateLimitedAnswers: limited,
      recoverMs: Math.max(0, firstAfter - r.faultEnd),
      backlogDrainedMs: Math.max(0, done - r.faultEnd),
      wallMs: done - r.start,
    });
    await r.ledger.stop();
    expect(limited).toBeGreaterThan(0);
    expect(f.lost).toBe(0);
    expect(f.deadLettered).toBe(0);
    expect(f.duplicates).toBe(0);
  });

  it('connection resets on every third call: all delivered, none dead-lettered', async () => {
    const faults = TARGETS.map((api) => ({ api, drop: true, everyNth: 3 }));
    const r = await run('reset', faults, 20_000);
    expect(await r.ledger.waitAll(120_000)).toBe(0);
    const done = Date.now();
    const f = r.ledger.figures();
    const dropped = TARGETS.reduce((n, t) => n + r.during[t].dropped - r.before[t].dropped, 0);
    report({
      scenario: 'connection-resets-every-3rd-call',
      ...f,
      duplicateBound: 0,
      resets: dropped,
      recoverMs: Math.max(0, done - r.faultEnd),
      wallMs: done - r.start,
    });
    await r.ledger.stop();
    expect(dropped).toBeGreaterThan(0);
    expect(f.lost).toBe(0);
    expect(f.deadLettered).toBe(0);
    // a reset comes before the emulator accepts the record: no duplicates
    expect(f.duplicates).toBe(0);
  });

  it('an API slower than the request timeout: retried, never lost; duplicates only from timed-out calls', async () => {
    // 3 s answers against BRIDGE_HTTP_TIMEOUT_MS=2000: every call times out, yet the emulator still
    // accepts the record after its delay (as a real API may), so each timed-out call can double one.
    const faults = (['datastream', 'guance'] as const).map((api) => ({ api, latencyMs: 3000 }));
    const r = await run('slow', faults, 15_000);
    expect(await r.ledger.waitAll(120_000)).toBe(0);
    const done = Date.now();
    const f = r.ledger.figures();
    // Data Stream and Guance calls carry one record each: duplicates <= calls made while slow.
    const slowCalls =
      r.during.datastream.requests - r.before.datastream.requests + r.during.guance.requests - r.before.guance.requests;
    report({
      scenario: 'api-slower-than-timeout-15s',
      ...f,
      duplicateBound: slowCalls,
      recoverMs: Math.max(0, done - r.faultEnd),
      wallMs: done - r.start,
    });
    await r.ledger.stop();
    expect(f.lost).toBe(0);
    expect(f.deadLettered).toBe(0);
    expect(f.duplicates).toBeLessThanOrEqual(slowCalls);
  });
});

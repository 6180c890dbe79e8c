import type { EmulatorServer } from '../../apps/emulator/src';
import { BridgeProcess, killAll, startBridge } from '../support/bridge-process';
import { Ledger, placedWorkload, report, sleep } from '../support/faults';
import { produce } from '../support/kafka';
import { bridgeEnv, freshScenario, startTestEmulator } from '../support/stack';

const RECORDS = 20_000;
const MAX_IN_FLIGHT = 16;
/** Records one API call may carry: Cloud Insight coalesces up to 100, the others send one. */
const RECORDS_PER_CALL = { datastream: 1, cloudinsight: 100, guance: 1 };

/**
 * Scale out and in: a second and a third bridge join the groups mid-run, then leave with SIGTERM.
 * Each membership change revokes partitions; docs/contract.md says revoked partitions are drained like a
 * shutdown (in-flight calls finished or abandoned, done records committed), so the next owner
 * re-sends at most what was in flight: per change and per member, maxInFlight calls per target.
 */
describe('a second and third bridge instance join mid-run (rebalance) and leave', () => {
  let emulator: { url: string; server: EmulatorServer };
  const bridges: BridgeProcess[] = [];

  afterAll(async () => {
    await killAll(bridges);
    await emulator?.server.close();
  });

  it('loses nothing across four rebalances; duplicates stay within the in-flight window', async () => {
    emulator = await startTestEmulator();
    const s = await freshScenario(6);
    const { records, placed } = placedWorkload(RECORDS, 300, 6, 'rb');
    await produce(s.topic, records);
    const ledger = await new Ledger(emulator.server, s.dlq, new Set(placed.keys())).start();
    const env = bridgeEnv(emulator.url, s, { BRIDGE_MAX_IN_FLIGHT: String(MAX_IN_FLIGHT), LOG_LEVEL: 'warn' });

    const start = Date.now();
    const at = (share: number) => async () => {
      while (ledger.doneCount() < RECORDS * share) await sleep(100);
    };
    const changes: { what: string; at: number; members: number }[] = [];
    const first = await startBridge(env);
    bridges.push(first);

    await at(0.15)();
    const second = await startBridge(env);
    bridges.push(second);
    changes.push({ what: 'join 2nd', at: Date.now(), members: 2 });
    await second.waitReady(90_000);

    await at(0.35)();
    const third = await startBridge(env);
    bridges.push(third);
    changes.push({ what: 'join 3rd', at: Date.now(), members: 3 });
    await third.waitReady(90_000);

    await at(0.55)();
    changes.push({ what: 'leave 2nd', at: Date.now(), members: 3 });
    expect(await second.kill('SIGTERM')).toBe(0);

    await at(0.75)();
    changes.push({ what: 'leave 3rd', at: Date.now(), members: 2 });
    expect(await third.kill('SIGTERM')).toBe(0);

    const missing = await ledger.waitAll(240_000);
    const done = Date.now();
    const f = ledger.figures();
    const perMember = Object.values(RECORDS_PER_CALL).reduce((n, r) => n + MAX_IN_FLIGHT * r, 0);
    const bound = changes.reduce((n, c) => n + c.members * perMember, 0);
    report({
      scenario: 'rebalance-join-2-leave-2-20k',
      ...f,
      duplicateBound: bound,
      recoverMs: 'see stalls',
      longestStallMs: longestGap(ledger, emulator.server, start),
      wallMs: done - start,
      recordsPerSecond: Math.round((RECORDS / (done - start)) * 1000),
    });
    await ledger.stop();
    expect(missing).toBe(0);
    expect(f.lost).toBe(0);
    expect(f.deadLettered).toBe(0);
    expect(f.duplicates).toBeLessThanOrEqual(bound);
    expect(first.proc.exitCode).toBeNull();
  }, 600_000);
});

/** The longest time no record of the scenario was accepted, over all APIs (rebalance pauses). */
function longestGap(ledger: Ledger, server: EmulatorServer, since: number): number {
  const times: number[] = [];
  for (const api of ['datastream', 'cloudinsight', 'guance'] as const) {
    for (const e of server.received(api, 0, 10_000_000).entries) if (e.at >= since) times.push(e.at);
  }
  times.sort((a, b) => a - b);
  let gap = 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i] - times[i - 1]);
  void ledger;
  return gap;
}

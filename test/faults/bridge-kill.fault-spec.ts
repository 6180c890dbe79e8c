import type { EmulatorServer } from '../../apps/emulator/src';
import { BridgeProcess, startBridge } from '../support/bridge-process';
import { deliveredButUncommitted, Ledger, placedWorkload, report, sleep } from '../support/faults';
import { produce } from '../support/kafka';
import { bridgeEnv, freshScenario, startTestEmulator } from '../support/stack';

const RECORDS = 50_000;
const KILLS = 5;
const PARTITIONS = 6;

/**
 * docs/contract.md: a crash at any instant (SIGKILL included) loses nothing and may re-deliver at most the
 * records that were in flight. The bound checked is exact: right after each SIGKILL, the records the
 * API had accepted but whose group had not committed past them (the only ones a restart fetches
 * again and may send again), summed over the kills.
 */
describe('the bridge SIGKILLed 5 times during a 50,000-record run', () => {
  let emulator: { url: string; server: EmulatorServer };
  let bridge: BridgeProcess | undefined;

  afterAll(async () => {
    await bridge?.kill('SIGKILL');
    await emulator?.server.close();
  });

  it('loses nothing; duplicates stay within what was delivered but uncommitted at each kill', async () => {
    emulator = await startTestEmulator();
    const s = await freshScenario(PARTITIONS);
    const { records, placed } = placedWorkload(RECORDS, 300, PARTITIONS, 'k');
    await produce(s.topic, records);
    const ledger = await new Ledger(emulator.server, s.dlq, new Set(placed.keys())).start();
    const env = bridgeEnv(emulator.url, s, { BRIDGE_MAX_IN_FLIGHT: '32', LOG_LEVEL: 'warn' });

    const start = Date.now();
    let bound = 0;
    const recoveries: number[] = [];
    const atKill: number[] = [];
    const kills: { ids: string[]; committed: Map<string, number>; deliveredTimes: Map<string, number> }[] = [];
    for (let kill = 1; kill <= KILLS; kill++) {
      const spawnedAt = Date.now();
      bridge = await startBridge(env);
      const firstAfter = await ledger.firstDeliveryAfter(spawnedAt, 120_000);
      if (kill > 1) recoveries.push(firstAfter - spawnedAt);
      // kill at evenly spread points of the run: after 1/7, 2/7, ... of the records are done
      const target = Math.floor((RECORDS * kill) / (KILLS + 2));
      while (ledger.doneCount() < target) await sleep(100);
      expect(await bridge.kill('SIGKILL')).toBe('SIGKILL');
      // let the emulator finish requests that were already on the wire: quiet for 1 s
      for (let n = -1; n !== ledger.doneCount() + ledger.figures().duplicates; await sleep(1000)) {
        n = ledger.doneCount() + ledger.figures().duplicates;
      }
      const uncommitted = await deliveredButUncommitted(ledger, placed, s.topic, s.group);
      bound += uncommitted.count;
      atKill.push(uncommitted.count);
      kills.push({ ...uncommitted, deliveredTimes: new Map(ledger.delivered) });
    }
    const spawnedAt = Date.now();
    bridge = await startBridge(env);
    recoveries.push((await ledger.firstDeliveryAfter(spawnedAt, 120_000)) - spawnedAt);
    const missing = await ledger.waitAll(300_000);
    const done = Date.now();
    const f = ledger.figures();
    report({
      scenario: 'sigkill-x5-50k',
      ...f,
      duplicateBound: bound,
      uncommittedAtKills: atKill.join('/'),
      recoverMs: `avg ${Math.round(recoveries.reduce((a, b) => a + b, 0) / recoveries.length)} max ${Math.max(...recoveries)}`,
      wallMs: done - start,
      recordsPerSecond: Math.round((RECORDS / (done - start)) * 1000),
    });
    await ledger.stop();
    // Duplicates no kill explains: each kill may re-send the ids it left delivered but uncommitted.
    const allowed = new Map<string, number>();
    for (const k of kills) for (const id of k.ids) allowed.set(id, (allowed.get(id) ?? 0) + 1);
    const unexplained = [...ledger.delivered].filter(([id, times]) => times - 1 > (allowed.get(id) ?? 0));
    if (unexplained.length > 0) {
      const show = unexplained.slice(0, 8).map(([id, times]) => {
        const p = placed.get(id)!;
        const history = kills.map(
          (k) => `${k.committed.get(`${p.target}:${p.partition}`)}:${k.deliveredTimes.get(id) ?? 0}`,
        );
        return `${id} x${times} ${p.target} p${p.partition}@${p.offset} committed:times at kills ${history.join(' ')}`;
      });
      console.log(`[fault] ${unexplained.length} duplicates no kill explains, e.g.\n${show.join('\n')}`);
    }
    expect(missing).toBe(0);
    expect(f.lost).toBe(0);
    expect(f.deadLettered).toBe(0);
    expect(f.duplicates).toBeLessThanOrEqual(bound);
  }, 600_000);
});

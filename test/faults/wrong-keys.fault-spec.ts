import type { Target } from '@app/contracts';
import type { EmulatorServer } from '../../apps/emulator/src';
import { BridgeProcess, startBridge } from '../support/bridge-process';
import { keepOutput, Ledger, placedWorkload, report, sleep } from '../support/faults';
import { produce } from '../support/kafka';
import { logLines, metric, notReady, observe, until } from '../support/observe';
import { bridgeEnv, freshScenario, received, secretValues, startTestEmulator } from '../support/stack';

const ALL: Target[] = ['datastream', 'cloudinsight', 'guance'];
const WRONG = { ncpSecretKey: 'SECRET-wrong-ncp-0d9e8c7b6a5f', guanceApiKey: 'SECRET-wrong-guance-7e6d5c4b' };

/**
 * A rollout with a wrong NCP secret key and a wrong Guance API key: the bridge stops by itself
 * (readiness 503 naming each target, an error line each), dead-letters nothing and leaves the
 * records in Kafka; restarted with the right keys, it delivers every one of them.
 */
describe('started with wrong keys, then restarted with the right ones', () => {
  let emulator: { url: string; server: EmulatorServer };
  const bridges: BridgeProcess[] = [];
  let ledger: Ledger | undefined;

  afterAll(async () => {
    await ledger?.stop();
    bridges.forEach((b, i) => keepOutput(`wrong-keys-${i}`, b));
    await Promise.all(bridges.map((b) => b.kill('SIGKILL')));
    await emulator?.server.close();
  });

  it('refused: paused, nothing dead-lettered, records left as lag; after a restart with the right keys, all delivered', async () => {
    emulator = await startTestEmulator();
    const s = await freshScenario(4);
    const extra = { BRIDGE_RETRY_DEADLINE_MS: '8000' };
    const wrong = await startBridge(
      bridgeEnv(emulator.url, s, {
        ...extra,
        NCP_SECRET_KEY: WRONG.ncpSecretKey,
        GUANCE_API_KEY: WRONG.guanceApiKey,
      }),
    );
    bridges.push(wrong);
    await wrong.waitReady(); // no call made yet: nothing tells it the keys are wrong

    const { records, placed } = placedWorkload(600, 30, 4, 'wrong-keys-');
    ledger = await new Ledger(emulator.server, s.dlq, new Set(placed.keys())).start();
    const start = Date.now();
    await produce(s.topic, records);
    const lag = (text: string, t: Target) => metric(text, 'bridge_consumer_lag', { group: `${s.group}-${t}` }) ?? 0;
    const refused = await until('readiness, metrics and lag to show every target refused', async () => {
      const o = await observe(wrong);
      const shown = ALL.every(
        (t) => notReady(o, t) && metric(o.metrics, 'bridge_target_credentials_refused', { target: t }) === 1,
      );
      return shown && ALL.every((t) => lag(o.metrics, t) > 0) ? o : undefined;
    });
    expect(refused.value.ready.status).toBe(503);
    for (const t of ['datastream', 'cloudinsight'] as const) {
      expect(notReady(refused.value, t)).toMatch(
        /^credentials refused since \S+: HTTP 401: errorCode 200: Authentication Failed \(signature mismatch\)$/,
      );
    }
    expect(notReady(refused.value, 'guance')).toMatch(/^credentials refused since \S+: HTTP 403: .*ft\.InvalidAPIKey/);
    const errorLines = logLines(wrong, 'the API refuses our credentials: consumption paused, records wait in Kafka');
    expect(errorLines.map((l) => [l.target, l.level]).sort()).toEqual(ALL.map((t) => [t, 50]).sort());
    const lagWhileRefused = ALL.map((t) => lag(refused.value.metrics, t));

    // Past the retry deadline (8 s) and beyond: nothing is delivered, nothing dead-lettered.
    await sleep(start + 15_000 - Date.now());
    expect(ledger.figures()).toMatchObject({ delivered: 0, deadLettered: 0 });
    const stoppedAt = Date.now();
    expect(await wrong.kill('SIGTERM')).toBe(0);

    const right = await startBridge(bridgeEnv(emulator.url, s, extra));
    bridges.push(right);
    const restarted = Date.now();
    expect(await ledger.waitAll(120_000)).toBe(0);
    const ready = await until('readiness 200', async () => (await observe(right)).ready.status === 200 || undefined);
    const at = ALL.flatMap((t) => received(emulator.server, t).map((r) => r.at));
    const f = ledger.figures();
    report({
      scenario: 'wrong-keys-then-restart',
      ...f,
      duplicateBound: 0,
      refusedForMs: stoppedAt - start,
      lag: lagWhileRefused.join('/'),
      recoverMs: Math.max(...at) - restarted,
      firstDeliveryAfterRestartMs: Math.min(...at) - restarted,
      readyAfterRestartMs: ready.at - restarted,
      wallMs: ready.at - start,
    });
    expect(f).toMatchObject({ lost: 0, deadLettered: 0, duplicates: 0 });
    const text = wrong.output() + right.output() + JSON.stringify(refused.value.ready.body);
    for (const secret of [...secretValues(), ...Object.values(WRONG)]) expect(text).not.toContain(secret);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Target } from '@app/contracts';
import type { EmulatorServer } from '../../apps/emulator/src';
import { BridgeProcess, startBridge } from '../support/bridge-process';
import { keepOutput, Ledger, placedWorkload, report, sleep } from '../support/faults';
import { produce } from '../support/kafka';
import { logLines, metric, notReady, observe, until } from '../support/observe';
import { bridgeEnv, freshScenario, received, secretValues, startTestEmulator } from '../support/stack';
import { makeTestCa, TestCa } from '../support/test-ca';

const RECORDS = 600;
const DEADLINE_MS = 8_000;
const ALL: Target[] = ['datastream', 'cloudinsight', 'guance'];

/** A failure of whole targets, as the test brings it about and the bridge must report it. */
interface Episode {
  name: string;
  failing: Target[];
  /** Starts the fault; it ends `lastsMs` later, by itself or through `end`. */
  begin(): void;
  lastsMs: number;
  end?(): void;
  /** What readiness must say about each failing target. */
  cause: RegExp | ((target: Target) => RegExp);
  /** The log line that says the target paused. */
  pausedLog: { level: 'warn' | 'error'; msg: string };
  refused: boolean;
}

const LEVELS = { info: 30, warn: 40, error: 50 };
const served = ({ key, cert }: TestCa) => ({ key, cert });
const PAUSED = 'the API keeps failing: consumption paused, records wait in Kafka';
const REFUSED = 'the API refuses our credentials: consumption paused, records wait in Kafka';

/**
 * A target whose API fails as a whole (down, refusing our credentials, behind a certificate we do
 * not trust) pauses, however long it lasts, and dead-letters nothing, though every fault here lasts
 * longer than the retry deadline (8 s); it says so in readiness, metrics and logs, and resumes by
 * itself. The APIs are reached over HTTPS, their certificate from a CA made at test time
 * (BRIDGE_API_CA_FILE), which the test can change for one from a CA the bridge does not know.
 */
describe('a target whose API fails as a whole pauses, dead-letters nothing and resumes by itself', () => {
  let emulator: { url: string; server: EmulatorServer };
  let trusted: TestCa;
  let unknown: TestCa;
  let dir: string;
  let bridge: BridgeProcess;
  let s: { topic: string; dlq: string; group: string };
  const ledgers: Ledger[] = [];

  beforeAll(async () => {
    [trusted, unknown] = await Promise.all([makeTestCa(), makeTestCa()]);
    dir = mkdtempSync(join(tmpdir(), 'bridge-faults-ca-'));
    writeFileSync(join(dir, 'ca.pem'), trusted.caPem);
    emulator = await startTestEmulator({ tls: served(trusted) });
    s = await freshScenario(4);
    bridge = await startBridge(
      bridgeEnv(emulator.url, s, {
        BRIDGE_API_CA_FILE: join(dir, 'ca.pem'),
        BRIDGE_RETRY_DEADLINE_MS: String(DEADLINE_MS),
        BRIDGE_MAX_IN_FLIGHT: '16',
      }),
    );
    await bridge.waitReady();
  });

  afterAll(async () => {
    await Promise.all(ledgers.map((l) => l.stop()));
    keepOutput('target-paused', bridge);
    await bridge?.kill('SIGKILL');
    await emulator?.server.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function probeFailures(targets: Target[]): Promise<number[]> {
    const { metrics } = await observe(bridge);
    return targets.map((target) => metric(metrics, 'bridge_probe_failures_total', { target }) ?? 0);
  }

  /** Runs one episode over a fresh set of records and checks everything an operator relies on. */
  async function rideOut(e: Episode) {
    const { records, placed } = placedWorkload(RECORDS, 30, 4, `${e.name}-`);
    const ledger = await new Ledger(emulator.server, s.dlq, new Set(placed.keys())).start();
    ledgers.push(ledger);
    const idsOf = (targets: Target[]) =>
      [...placed.values()].filter((p) => targets.includes(p.target)).map((p) => p.id);
    const failingIds = idsOf(e.failing);
    const probesBefore = await probeFailures(e.failing);
    const start = Date.now();
    e.begin();
    await produce(s.topic, records);

    // While it lasts: readiness names each failing target and why, the paused gauges say 1, and the
    // records wait in Kafka (lag); the other targets get all theirs.
    const groupLag = (text: string, t: Target) => metric(text, 'bridge_consumer_lag', { group: `${s.group}-${t}` });
    const during = await until('readiness, metrics and lag to show the paused targets', async () => {
      const o = await observe(bridge);
      const shown = e.failing.every(
        (t) =>
          notReady(o, t) &&
          metric(o.metrics, 'bridge_target_paused', { target: t }) === 1 &&
          groupLag(o.metrics, t)! > 0,
      );
      return shown ? o : undefined;
    });
    const others = idsOf(ALL.filter((t) => !e.failing.includes(t)));
    await until('the other targets to get all their records', () => {
      ledger.poll();
      return others.every((id) => ledger.done(id)) || undefined;
    });
    expect(during.value.ready.status).toBe(503);
    for (const t of ALL) {
      const cause = typeof e.cause === 'function' ? e.cause(t) : e.cause;
      if (e.failing.includes(t)) expect(notReady(during.value, t)).toMatch(cause);
      else expect(notReady(during.value, t)).toBeUndefined();
      const refused = metric(during.value.metrics, 'bridge_target_credentials_refused', { target: t });
      expect(refused).toBe(e.refused && e.failing.includes(t) ? 1 : 0);
    }

    await sleep(start + e.lastsMs - Date.now());
    e.end?.();
    const faultEnd = Date.now();
    ledger.poll();
    expect(failingIds.filter((id) => ledger.done(id))).toEqual([]); // nothing delivered, nothing dead-lettered

    expect(await ledger.waitAll(120_000)).toBe(0);
    const readyAgain = await until(
      'readiness 200',
      async () => (await observe(bridge)).ready.status === 200 || undefined,
    );
    const after = await observe(bridge);
    const f = ledger.figures();
    // per failing target: its first delivery after the fault (the probe that closed its circuit) and its last
    const failingSet = new Set(failingIds);
    const spans = e.failing.map((t) => {
      const at = received(emulator.server, t)
        .filter((r) => failingSet.has(r.id))
        .map((r) => r.at);
      return { probeOk: Math.min(...at), last: Math.max(...at) };
    });
    const lines = (msg: string) => logLines(bridge, msg).filter((l) => l.time >= start);
    const probesFailed = (await probeFailures(e.failing)).map((n, i) => n - probesBefore[i]);
    report({
      scenario: e.name,
      ...f,
      duplicateBound: 0,
      faultMs: faultEnd - start,
      recoverMs: Math.max(...spans.map((x) => x.last)) - faultEnd,
      probeAfterFaultEndMs: spans.map((x) => x.probeOk - faultEnd).join('/'),
      drainedAfterProbeMs: spans.map((x) => x.last - x.probeOk).join('/'),
      readyAfterLastProbeMs: readyAgain.at - Math.max(...spans.map((x) => x.probeOk)),
      probeFailures: probesFailed.join('/'),
      wallMs: readyAgain.at - start,
    });

    expect(f).toMatchObject({ lost: 0, deadLettered: 0, duplicates: 0 });
    for (const { probeOk } of spans) expect(probeOk).toBeGreaterThanOrEqual(faultEnd);
    for (const [i, t] of e.failing.entries()) {
      expect(metric(after.metrics, 'bridge_target_paused', { target: t })).toBe(0);
      expect(metric(after.metrics, 'bridge_target_credentials_refused', { target: t })).toBe(0);
      expect(probesFailed[i]).toBeGreaterThan(0);
      expect(lines(e.pausedLog.msg).filter((l) => l.target === t)).toEqual([
        expect.objectContaining({ level: LEVELS[e.pausedLog.level], error: expect.any(String) }),
      ]);
      expect(lines('probe failed; the target stays paused').some((l) => l.target === t)).toBe(true);
      expect(lines('the API answers again: consumption resumed').filter((l) => l.target === t)).toHaveLength(1);
    }
    const text = bridge.output() + JSON.stringify(during.value.ready.body);
    for (const secret of secretValues()) expect(text).not.toContain(secret);
  }

  it('an outage three times longer than the retry deadline (25 s of 503, deadline 8 s)', async () => {
    await rideOut({
      name: 'outage-25s-deadline-8s',
      failing: ['datastream'],
      begin: () => emulator.server.setFault({ api: 'datastream', status: 503, forMs: 25_000 }),
      lastsMs: 25_000,
      cause: /^paused, the API keeps failing since \S+: HTTP 503: errorCode 500: Endpoint Error/,
      pausedLog: { level: 'warn', msg: PAUSED },
      refused: false,
    });
  });

  it('credentials refused for a minute by all three APIs (NCP 401 errorCode 200, Guance 403), then accepted', async () => {
    await rideOut({
      name: 'credentials-refused-60s',
      failing: ALL,
      begin: () => ALL.forEach((api) => emulator.server.setFault({ api, refuse: true, forMs: 60_000 })),
      lastsMs: 60_000,
      cause: (t) =>
        t === 'guance'
          ? /^credentials refused since \S+: HTTP 403: .*ft\.InvalidAPIKey/
          : /^credentials refused since \S+: HTTP 401: errorCode 200: Authentication Failed/,
      pausedLog: { level: 'error', msg: REFUSED },
      refused: true,
    });
  });

  it('a TLS error: the APIs serve a certificate from a CA the bridge does not know for 15 s, then a trusted one', async () => {
    await rideOut({
      name: 'tls-unknown-ca-15s',
      failing: ALL,
      begin: () => emulator.server.useCertificate(served(unknown)),
      lastsMs: 15_000,
      end: () => emulator.server.useCertificate(served(trusted)),
      cause: /^paused, the API keeps failing since \S+: TLS certificate not accepted \((CERT_|UNABLE_TO_)\w+\)$/,
      pausedLog: { level: 'warn', msg: PAUSED },
      refused: false,
    });
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Target } from '@app/contracts';
import { EmulatorServer, startEmulator } from '../apps/emulator/src';
import { BridgeProcess, startBridge } from './support/bridge-process';
import { ConnectProxy, startConnectProxy } from './support/connect-proxy';
import { consume, produce } from './support/kafka';
import { workload } from './support/records';
import { bridgeEnv, freshScenario, SECRETS, waitFor } from './support/stack';
import { makeTestCa } from './support/test-ca';

const TARGETS: Target[] = ['datastream', 'cloudinsight', 'guance'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('egress: the bridge behind a proxy, trusting a private CA (HTTPS APIs on loopback)', () => {
  let emulator: { url: string; server: EmulatorServer };
  let proxy: ConnectProxy;
  let deadProxy: string;
  let caFile: string;
  const bridges: BridgeProcess[] = [];
  const accepted = () => TARGETS.reduce((n, t) => n + emulator.server.stats()[t].accepted, 0);

  async function run(extra: Record<string, string>, records: number) {
    const s = await freshScenario(2);
    const bridge = await startBridge(
      bridgeEnv(emulator.url, s, { BRIDGE_API_CA_FILE: caFile, BRIDGE_RETRY_DEADLINE_MS: '0', ...extra }),
    );
    bridges.push(bridge);
    await bridge.waitReady();
    await produce(s.topic, workload(records, 12, TARGETS, s.topic));
    return { s, bridge };
  }

  beforeAll(async () => {
    const ca = await makeTestCa();
    caFile = join(mkdtempSync(join(tmpdir(), 'bridge-egress-')), 'ca.pem');
    writeFileSync(caFile, ca.caPem);
    emulator = await startEmulator({
      ncp: SECRETS.ncp,
      guanceApiKey: SECRETS.guanceApiKey,
      guanceMonitors: SECRETS.monitors,
      tls: { key: ca.key, cert: ca.cert },
    });
    proxy = await startConnectProxy();
    const dead = await startConnectProxy();
    deadProxy = dead.url;
    await dead.close();
  });
  afterEach(async () => {
    await Promise.all(bridges.splice(0).map((b) => b.kill('SIGKILL')));
    emulator.server.reset();
  });
  afterAll(async () => {
    await proxy?.close();
    await emulator?.server.close();
  });

  it('delivers every record through HTTPS_PROXY to HTTPS APIs whose certificate comes from BRIDGE_API_CA_FILE', async () => {
    const before = proxy.tunnels.length;
    await run({ HTTPS_PROXY: proxy.url }, 60);
    await waitFor('60 records at the APIs', () => accepted() >= 60);
    expect(accepted()).toBe(60);
    const tunnels = proxy.tunnels.slice(before);
    expect(tunnels.length).toBeGreaterThan(0);
    expect(new Set(tunnels)).toEqual(new Set([new URL(emulator.url).host]));
  });

  it('with a dead proxy, sends nothing around it: records wait, none delivered, none dead-lettered', async () => {
    const { s, bridge } = await run({ HTTPS_PROXY: deadProxy }, 30);
    await waitFor('the targets to pause', async () =>
      /bridge_target_paused\{target="\w+"\} 1/.test((await bridge.get('/metrics')).body),
    );
    await sleep(3000);
    expect(accepted()).toBe(0);
    expect(await consume(s.dlq, 1, 2000)).toHaveLength(0);
    expect(bridge.output()).not.toContain(SECRETS.guanceApiKey);
  });

  it('goes direct to hosts NO_PROXY names, the dead proxy set all the same', async () => {
    await run({ HTTPS_PROXY: deadProxy, NO_PROXY: 'localhost,127.0.0.1' }, 30);
    await waitFor('30 records at the APIs', () => accepted() >= 30);
    expect(accepted()).toBe(30);
  });

  it('without the CA the APIs’ certificate is refused: nothing delivered', async () => {
    const { s } = await run({ HTTPS_PROXY: proxy.url, BRIDGE_API_CA_FILE: '' }, 12);
    await sleep(4000);
    expect(accepted()).toBe(0);
    expect(await consume(s.dlq, 1, 1000)).toHaveLength(0);
  });
});

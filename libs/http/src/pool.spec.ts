import type { Dispatcher } from 'undici';
import { EmulatorServer, startEmulator } from '../../../apps/emulator/src';
import { ConnectProxy, startConnectProxy } from '../../../test/support/connect-proxy';
import { makeTestCa, TestCa } from '../../../test/support/test-ca';
import { failureResult } from './classify';
import { exchange } from './exchange';
import { createPool, EgressConfig } from './pool';

const apiKey = 'pool-spec-api-key';
const monitor = { secret: 'pool-spec-secret', subUri: 'pool-spec' };

describe('createPool: proxies and a private CA, against a real proxy and an HTTPS receiver on loopback', () => {
  let ca: TestCa;
  let https: { url: string; server: EmulatorServer };
  let http: { url: string; server: EmulatorServer };
  let proxy: ConnectProxy;
  let deadProxyUrl: string;
  const pools: Dispatcher[] = [];

  beforeAll(async () => {
    ca = await makeTestCa();
    const opts = { guanceApiKey: apiKey, guanceMonitors: { m: monitor } };
    https = await startEmulator({ ...opts, tls: { key: ca.key, cert: ca.cert } });
    http = await startEmulator(opts);
    const dead = await startConnectProxy();
    deadProxyUrl = dead.url;
    await dead.close();
  });
  beforeEach(async () => (proxy = await startConnectProxy()));
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.destroy()));
    await proxy.close();
    https.server.reset();
    http.server.reset();
  });
  afterAll(() => Promise.all([https.server.close(), http.server.close()]));

  function poolFor(url: string, egress: EgressConfig, connections = 4): Dispatcher {
    const pool = createPool(new URL(url).origin, { connections, timeoutMs: 3000, egress });
    pools.push(pool);
    return pool;
  }

  /** One event pushed to `url` with `egress`: the outcome in words, as a record's result would say it. */
  async function push(url: string, egress: EgressConfig | Dispatcher): Promise<string> {
    const origin = new URL(url).origin;
    const pool = 'dispatch' in egress ? egress : poolFor(url, egress);
    try {
      const answer = await exchange(pool, {
        origin,
        method: 'POST',
        path: `/api/v1/push-events/${monitor.secret}/${monitor.subUri}`,
        headers: { 'DF-API-KEY': apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ event: { status: 'ok', title: 't' } }),
        timeoutMs: 3000,
        secrets: [apiKey],
      });
      return `HTTP ${answer.status}`;
    } catch (err) {
      return (failureResult(err) as { error: string }).error;
    }
  }
  const accepted = (server: EmulatorServer) => server.stats().guance.accepted;
  const hostPort = (url: string) => new URL(url).host;

  it('reaches an HTTPS API through HTTPS_PROXY, trusting the private CA', async () => {
    await expect(push(https.url, { httpsProxy: proxy.url, ca: ca.caPem })).resolves.toBe('HTTP 200');
    expect(proxy.tunnels).toEqual([hostPort(https.url)]);
    expect(accepted(https.server)).toBe(1);
  });

  it('without the CA the API’s certificate is refused, through the proxy or direct; with it, direct works', async () => {
    await expect(push(https.url, { httpsProxy: proxy.url })).resolves.toMatch(/^TLS certificate not accepted \(/);
    await expect(push(https.url, {})).resolves.toMatch(/^TLS certificate not accepted \(/);
    await expect(push(https.url, { ca: ca.caPem })).resolves.toBe('HTTP 200');
    expect(accepted(https.server)).toBe(1);
  });

  it('tunnels plain http:// endpoints through HTTP_PROXY too', async () => {
    await expect(push(http.url, { httpProxy: proxy.url })).resolves.toBe('HTTP 200');
    expect(proxy.tunnels).toEqual([hostPort(http.url)]);
  });

  it('with a dead proxy the request fails and is never sent around it', async () => {
    await expect(push(https.url, { httpsProxy: deadProxyUrl, ca: ca.caPem })).resolves.toBe(
      'connection refused (ECONNREFUSED)',
    );
    await expect(push(http.url, { httpProxy: deadProxyUrl })).resolves.toBe('connection refused (ECONNREFUSED)');
    expect(accepted(https.server) + accepted(http.server)).toBe(0);
  });

  it('goes direct for hosts NO_PROXY names, and only for those', async () => {
    const egress = { httpsProxy: deadProxyUrl, httpProxy: deadProxyUrl, ca: ca.caPem };
    await expect(push(https.url, { ...egress, noProxy: 'localhost, 127.0.0.1' })).resolves.toBe('HTTP 200');
    await expect(push(http.url, { ...egress, noProxy: `127.0.0.1:${new URL(http.url).port}` })).resolves.toBe(
      'HTTP 200',
    );
    await expect(push(https.url, { ...egress, noProxy: 'example.com' })).resolves.toBe(
      'connection refused (ECONNREFUSED)',
    );
    expect(accepted(https.server) + accepted(http.server)).toBe(2);
  });

  it('sends the proxy credentials of the URL; a refusal is named without them', async () => {
    await proxy.close();
    proxy = await startConnectProxy('bridge:pr0xy-pass');
    const withAuth = (auth: string) => proxy.url.replace('//', `//${auth}@`);
    await expect(push(http.url, { httpProxy: withAuth('bridge:pr0xy-pass') })).resolves.toBe('HTTP 200');
    const refused = await push(http.url, { httpProxy: withAuth('bridge:wrong-pass') });
    expect(refused).toBe('the proxy refused the tunnel (HTTP 407)');
    expect(accepted(http.server)).toBe(1);
  });

  it('keeps the connection bound through the proxy: one tunnel per connection', async () => {
    const pool = poolFor(http.url, { httpProxy: proxy.url }, 2);
    const results = await Promise.all(Array.from({ length: 12 }, () => push(http.url, pool)));
    expect(results).toEqual(Array(12).fill('HTTP 200'));
    expect(proxy.tunnels.length).toBeGreaterThanOrEqual(1);
    expect(proxy.tunnels.length).toBeLessThanOrEqual(2);
  });
});

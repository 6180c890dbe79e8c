import { EMULATOR_DEFAULTS, EmulatorServer, startEmulator } from '../../../apps/emulator/src';
import { CloudInsightClient, CloudInsightClientOptions } from './cloudinsight.client';
import { IntegrationSpec } from './integration-spec';

const credentials = EMULATOR_DEFAULTS.ncp;
const spec: IntegrationSpec = {
  name: 'bridge-alerts',
  url: 'https://hooks.example.com/alerts',
  payload: '{"text":"#{RULE_NAME} is #{EVENT_STATUS}"}',
  headers: { 'content-type': 'application/json; charset=utf-8' },
};

describe('CloudInsightClient against the emulator', () => {
  let server: EmulatorServer;
  let url: string;
  const clients: CloudInsightClient[] = [];
  const client = (opts: Partial<CloudInsightClientOptions> = {}): CloudInsightClient => {
    const c = new CloudInsightClient({ endpoint: url, credentials, timeoutMs: 2000, ...opts });
    clients.push(c);
    return c;
  };

  beforeAll(async () => ({ url, server } = await startEmulator()));
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    server.reset();
  });
  afterAll(() => server.close());

  it('sends many records in one call, recorded as one entry each, with the region header', async () => {
    const data = [
      { cpu: 1.5, instanceId: 'a' },
      { cpu: 2, instanceId: 'b' },
      { cpu: 0, instanceId: 'c' },
    ];
    await expect(client({ regionNo: '7' }).sendData('cw-key-1', data)).resolves.toEqual({
      outcome: 'delivered',
      status: 200,
    });
    const { entries, accepted } = server.received('cloudinsight');
    expect(accepted).toBe(3);
    expect(entries.map((e) => e.body)).toEqual(data.map((d) => ({ cw_key: 'cw-key-1', data: d })));
    expect(entries.map((e) => e.regionNo)).toEqual(['7', '7', '7']);
    expect(server.stats().cloudinsight.statuses).toEqual({ 200: 1 });
  });

  it('classifies failures like every NCP API', async () => {
    server.setFault({ api: 'cloudinsight', status: 503, retryAfter: 'Wed, 21 Oct 2099 07:28:00 GMT' });
    const result = await client().sendData('k', [{ a: 1 }]);
    expect(result).toMatchObject({ outcome: 'retryable', status: 503, retryAfterMs: expect.any(Number) });
    server.setFault({ api: 'cloudinsight', status: 413 });
    await expect(client().sendData('k', [{ a: 1 }])).resolves.toMatchObject({ outcome: 'permanent', status: 413 });
    server.setFault({ api: 'cloudinsight', status: 404 }); // the gateway's own 404 (errorCode 300)
    await expect(client().sendData('k', [{ a: 1 }])).resolves.toMatchObject({ outcome: 'refused', status: 404 });
    server.clearFaults();
    const bad = client({ credentials: { ...credentials, secretKey: 'nope' } });
    await expect(bad.sendData('k', [{ a: 1 }])).resolves.toMatchObject({ outcome: 'refused', status: 401 });
  });

  it('creates an integration and finds it in the list', async () => {
    const c = client();
    expect(await c.listIntegrations()).toEqual([]);
    const id = await c.createIntegration(spec);
    expect(id).toMatch(/^\w+$/);
    expect(await c.listIntegrations()).toEqual([
      { integrationId: id, name: spec.name, type: 'OUT_GOING', url: spec.url },
    ]);
    expect(server.integrations()[0]).toMatchObject({ payload: spec.payload, headers: spec.headers, dmnCd: 'PUB' });
  });

  it.each<[string, Partial<IntegrationSpec>, RegExp]>([
    ['a payload over 15,000 bytes', { payload: 'é'.repeat(7501) }, /payload is 15002 bytes/],
    [
      'more than 10 headers',
      { headers: Object.fromEntries([...Array(11)].map((_, i) => [`h${i}`, 'v'])) },
      /11 headers/,
    ],
    ['a header over 100 bytes', { headers: { 'x-long': 'v'.repeat(95) } }, /header "x-long" is 101 bytes/],
    ['a header name with other characters', { headers: { 'x.dot': 'v' } }, /header name "x.dot"/],
    ['an empty name', { name: '' }, /name is required/],
    ['a relative url', { url: '/alerts' }, /absolute URL/],
  ])('refuses %s before sending', async (_what, change, message) => {
    await expect(client().createIntegration({ ...spec, ...change })).rejects.toThrow(message);
    expect(server.stats().integration.requests).toBe(0);
  });

  it('accepts the limits themselves', async () => {
    const headers = Object.fromEntries([...Array(10)].map((_, i) => [`h-${i}`, 'v'.repeat(100 - `h-${i}`.length)]));
    await expect(client().createIntegration({ ...spec, payload: 'x'.repeat(15_000), headers })).resolves.toEqual(
      expect.any(String),
    );
  });

  it('throws an error that says what the API answered', async () => {
    server.setFault({ api: 'integration', status: 500 });
    await expect(client().createIntegration(spec)).rejects.toThrow(
      'CreateIntegration failed: HTTP 500: errorCode 900: Unexpected Error (fault injected by the emulator)',
    );
    await expect(client().listIntegrations()).rejects.toThrow('ListIntegrations failed: HTTP 500');
    await expect(client().listIntegrations()).rejects.toMatchObject({ name: 'ProvisioningError', status: 500 });
    server.setFault({ api: 'integration', hang: true });
    await expect(client({ timeoutMs: 300 }).listIntegrations()).rejects.toThrow(
      'ListIntegrations failed: timeout after 300 ms',
    );
  });
});

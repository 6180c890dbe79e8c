import { EmulatorServer, startEmulator } from '../../../apps/emulator/src';
import { GuanceClient, GuanceClientOptions } from './guance.client';

const apiKey = 'guance-test-api-key';
const monitor = { secret: 'se/cret+monitor?x', subUri: 'orders alerts' };
const event = { event: { status: 'warning', title: 'disk', message: 'almost full', date: 1700000000 } };

describe('GuanceClient against the emulator', () => {
  let server: EmulatorServer;
  let url: string;
  const clients: GuanceClient[] = [];
  const client = (opts: Partial<GuanceClientOptions> = {}): GuanceClient => {
    const c = new GuanceClient({ endpoint: url, apiKey, timeoutMs: 2000, ...opts });
    clients.push(c);
    return c;
  };

  beforeAll(
    async () => ({ url, server } = await startEmulator({ guanceApiKey: apiKey, guanceMonitors: { orders: monitor } })),
  );
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    server.reset();
  });
  afterAll(() => server.close());

  it('delivers an event to the monitor named by secret and subUri (URL-encoded)', async () => {
    const body = { ...event, extraData: { team: 'ops' } };
    await expect(client().pushEvent(body, monitor)).resolves.toEqual({ outcome: 'delivered', status: 200 });
    expect(server.received('guance').entries).toEqual([{ seq: 0, at: expect.any(Number), monitor: 'orders', body }]);
  });

  it('an unknown monitor is answered 200 and the event ignored, as the real API does', async () => {
    await expect(client().pushEvent(event, { secret: 'other', subUri: 'x' })).resolves.toMatchObject({
      outcome: 'delivered',
    });
    expect(server.stats().guance).toMatchObject({ accepted: 0, ignored: 1 });
  });

  it('403 ft.InvalidAPIKey refuses our credentials', async () => {
    await expect(client({ apiKey: 'wrong' }).pushEvent(event, monitor)).resolves.toEqual({
      outcome: 'refused',
      status: 403,
      error: 'HTTP 403: ft.InvalidAPIKey: invalid API key',
    });
  });

  it('401 *CurrentLimiting is retryable', async () => {
    server.setFault({ api: 'guance', rateLimit: true, retryAfter: 1 });
    await expect(client().pushEvent(event, monitor)).resolves.toEqual({
      outcome: 'retryable',
      status: 401,
      retryAfterMs: 1000,
      error: 'HTTP 401: ft.TriggerApiWorkspaceCurrentLimiting: workspace rate limit reached',
    });
  });

  it('any other 401 refuses our credentials', async () => {
    server.setFault({ api: 'guance', status: 401 });
    await expect(client().pushEvent(event, monitor)).resolves.toMatchObject({ outcome: 'refused', status: 401 });
  });

  it('400 for a body the API refuses is permanent', async () => {
    const result = await client().pushEvent({ event: { status: 'bad' } }, monitor);
    expect(result).toMatchObject({
      outcome: 'permanent',
      status: 400,
      error: expect.stringContaining('ft.ParamError'),
    });
  });

  it('429 and 5xx are retryable', async () => {
    server.setFault({ api: 'guance', status: 429, retryAfter: 2 });
    await expect(client().pushEvent(event, monitor)).resolves.toMatchObject({
      outcome: 'retryable',
      status: 429,
      retryAfterMs: 2000,
    });
    server.setFault({ api: 'guance', status: 502 });
    await expect(client().pushEvent(event, monitor)).resolves.toMatchObject({ outcome: 'retryable', status: 502 });
  });

  it('timeouts and resets are retryable', async () => {
    server.setFault({ api: 'guance', hang: true });
    await expect(client({ timeoutMs: 300 }).pushEvent(event, monitor)).resolves.toEqual({
      outcome: 'retryable',
      error: 'timeout after 300 ms',
    });
    server.setFault({ api: 'guance', drop: true });
    await expect(client().pushEvent(event, monitor)).resolves.toEqual({
      outcome: 'retryable',
      error: 'connection reset (ECONNRESET)',
    });
  });
});

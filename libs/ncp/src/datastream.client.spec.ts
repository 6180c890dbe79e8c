import { EMULATOR_DEFAULTS, EmulatorServer, startEmulator } from '../../../apps/emulator/src';
import { DataStreamClient, DataStreamClientOptions } from './datastream.client';

const credentials = EMULATOR_DEFAULTS.ncp;
const message = { topic: 'prefix__orders', key: 'order-1', value: '{"id":1}' };

describe('DataStreamClient against the emulator', () => {
  let server: EmulatorServer;
  let url: string;
  const clients: DataStreamClient[] = [];
  const client = (opts: Partial<DataStreamClientOptions> = {}): DataStreamClient => {
    const c = new DataStreamClient({ endpoint: url, credentials, timeoutMs: 2000, connections: 4, ...opts });
    clients.push(c);
    return c;
  };

  beforeAll(async () => ({ url, server } = await startEmulator()));
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    server.reset();
  });
  afterAll(() => server.close());

  it('delivers a message, signed, and the emulator records it with its key', async () => {
    await expect(client().produce({ ...message, partition: 2 })).resolves.toEqual({
      outcome: 'delivered',
      status: 200,
    });
    const { entries } = server.received('datastream');
    expect(entries).toEqual([{ seq: 0, at: expect.any(Number), key: 'order-1', body: { ...message, partition: 2 } }]);
  });

  it('400 for a body the API refuses is permanent', async () => {
    const result = await client().produce({ ...message, partition: -1 });
    expect(result).toEqual({
      outcome: 'permanent',
      status: 400,
      error: 'HTTP 400: Bad Request, Invalid topic partition',
    });
  });

  it('401 for a bad signature refuses our credentials', async () => {
    const result = await client({ credentials: { ...credentials, secretKey: 'wrong-secret' } }).produce(message);
    expect(result).toEqual({
      outcome: 'refused',
      status: 401,
      error: 'HTTP 401: errorCode 200: Authentication Failed (signature mismatch)',
    });
  });

  it('401 for an unknown access key refuses our credentials', async () => {
    const result = await client({ credentials: { ...credentials, accessKey: 'someone-else' } }).produce(message);
    expect(result).toMatchObject({
      outcome: 'refused',
      status: 401,
      error: expect.stringContaining('unknown access key'),
    });
  });

  it('401 when the clock is more than 5 minutes off the gateway refuses our credentials', async () => {
    const result = await client({ clock: () => Date.now() - 5 * 60 * 1000 - 5000 }).produce(message);
    expect(result).toMatchObject({ outcome: 'refused', status: 401, error: expect.stringContaining('5 minutes') });
    // Within 5 minutes is fine.
    await expect(client({ clock: () => Date.now() - 4 * 60 * 1000 }).produce(message)).resolves.toMatchObject({
      outcome: 'delivered',
    });
  });

  it('403 refuses our credentials', async () => {
    server.setFault({ api: 'datastream', status: 403 });
    await expect(client().produce(message)).resolves.toEqual({
      outcome: 'refused',
      status: 403,
      error: 'HTTP 403: errorCode 210: Permission Denied (fault injected by the emulator)',
    });
  });

  it('413 for a value over 1 MiB is permanent', async () => {
    const result = await client().produce({ ...message, value: 'x'.repeat(1024 * 1024 + 1) });
    expect(result).toMatchObject({ outcome: 'permanent', status: 413 });
    expect(server.stats().datastream.accepted).toBe(0);
  });

  it('429 with Retry-After: 2 is retryable after 2000 ms', async () => {
    server.setFault({ api: 'datastream', status: 429, retryAfter: 2 });
    await expect(client().produce(message)).resolves.toEqual({
      outcome: 'retryable',
      status: 429,
      retryAfterMs: 2000,
      error: 'HTTP 429: errorCode 420: Rate Limited (fault injected by the emulator)',
    });
  });

  it('503 is retryable', async () => {
    server.setFault({ api: 'datastream', status: 503 });
    await expect(client().produce(message)).resolves.toMatchObject({ outcome: 'retryable', status: 503 });
  });

  it('a request that hangs past the timeout is retryable', async () => {
    server.setFault({ api: 'datastream', hang: true });
    const started = Date.now();
    await expect(client({ timeoutMs: 300 }).produce(message)).resolves.toEqual({
      outcome: 'retryable',
      error: 'timeout after 300 ms',
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a dropped connection is retryable, and the next call works on a new one', async () => {
    server.setFault({ api: 'datastream', drop: true, times: 1 });
    const c = client();
    await expect(c.produce(message)).resolves.toEqual({ outcome: 'retryable', error: 'connection reset (ECONNRESET)' });
    await expect(c.produce(message)).resolves.toMatchObject({ outcome: 'delivered' });
  });

  it('an unreachable endpoint is retryable', async () => {
    const closed = await startEmulator();
    await closed.server.close();
    await expect(client({ endpoint: closed.url }).produce(message)).resolves.toEqual({
      outcome: 'retryable',
      error: 'connection refused (ECONNREFUSED)',
    });
  });

  it('an external abort ends the request', async () => {
    server.setFault({ api: 'datastream', hang: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(client().produce(message, controller.signal)).resolves.toEqual({
      outcome: 'retryable',
      error: 'request aborted',
    });
  });
});

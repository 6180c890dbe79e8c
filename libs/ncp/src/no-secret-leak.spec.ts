import { inspect } from 'node:util';
import { EmulatorServer, startEmulator } from '../../../apps/emulator/src';
import { CloudInsightClient } from './cloudinsight.client';
import { DataStreamClient } from './datastream.client';

// Every failure the NCP clients can meet, with everything written, thrown or returned captured:
// none of it may hold a secret key (the right one or a wrong one).
const credentials = { accessKey: 'ak-LEAKCHECK', secretKey: 'sk-LEAKCHECK-secret-key-0000000000' };
const wrongSecret = 'sk-LEAKCHECK-wrong-secret-1111111111';

describe('NCP failures never reveal a secret', () => {
  let server: EmulatorServer;
  let url: string;
  const captured: string[] = [];
  const spies: jest.SpyInstance[] = [];

  beforeAll(async () => {
    ({ url, server } = await startEmulator({ ncp: credentials }));
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      spies.push(jest.spyOn(console, method).mockImplementation((...args) => void captured.push(inspect(args))));
    }
    for (const stream of [process.stdout, process.stderr]) {
      spies.push(jest.spyOn(stream, 'write').mockImplementation((chunk) => captured.push(String(chunk)) > 0));
    }
  });
  afterAll(async () => {
    spies.forEach((s) => s.mockRestore());
    await server.close();
  });

  async function attempt(run: () => Promise<unknown>): Promise<void> {
    try {
      captured.push(inspect(await run(), { depth: 10 }));
    } catch (err) {
      captured.push(inspect(err, { depth: 10 }), String(err), (err as Error).stack ?? '');
    }
  }

  it('in results, errors and logs', async () => {
    const options = { endpoint: url, credentials, timeoutMs: 300 };
    const ds = new DataStreamClient(options);
    const ci = new CloudInsightClient(options);
    const wrong = new DataStreamClient({ ...options, credentials: { ...credentials, secretKey: wrongSecret } });
    const skewed = new CloudInsightClient({ ...options, clock: () => Date.now() + 3_600_000 });
    const unreachable = new DataStreamClient({ ...options, endpoint: 'http://127.0.0.1:1' });
    captured.push(inspect([ds, ci], { depth: 10, showHidden: true }), JSON.stringify([ds, ci]));

    const message = { topic: 't', key: 'k', value: 'v' };
    await attempt(() => wrong.produce(message));
    await attempt(() => skewed.sendData('k', [{ a: 1 }]));
    await attempt(() => unreachable.produce(message));
    await attempt(() => ds.produce({ ...message, partition: -1 }));
    await attempt(() => ds.produce({ ...message, value: 'x'.repeat(1024 * 1024 + 1) }));
    for (const fault of [{ status: 503 }, { status: 429, retryAfter: 1 }, { hang: true }, { drop: true }]) {
      server.setFault({ api: 'datastream', ...fault });
      await attempt(() => ds.produce(message));
      server.setFault({ api: 'integration', ...fault });
      await attempt(() => ci.createIntegration({ name: 'n', url: 'https://x.example', payload: '{}' }));
      await attempt(() => ci.listIntegrations());
    }
    await attempt(() => ci.createIntegration({ name: 'n', url: 'https://x.example', payload: 'x'.repeat(20_000) }));
    await Promise.all([ds, ci, wrong, skewed, unreachable].map((c) => c.close()));

    const text = captured.join('\n');
    expect(text).toContain('signature mismatch'); // the scenarios did run
    expect(text).toContain('timeout after 300 ms');
    for (const secret of [credentials.secretKey, wrongSecret]) expect(text).not.toContain(secret);
  });
});

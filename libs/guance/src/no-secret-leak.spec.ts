import { inspect } from 'node:util';
import { EmulatorServer, startEmulator } from '../../../apps/emulator/src';
import { GuanceClient } from './guance.client';

// Every failure a Guance client can meet, with everything written, thrown or returned captured:
// none of it may hold the API key, the monitor secret or its subUri.
const apiKey = 'gk-LEAKCHECK-api-key-4711';
const monitor = { secret: 'gs-LEAKCHECK-monitor-secret-0815', subUri: 'gu-LEAKCHECK-sub-uri' };
const event = { event: { status: 'critical', title: 't' } };

describe('Guance failures never reveal a secret', () => {
  let server: EmulatorServer;
  let url: string;
  const captured: string[] = [];
  const spies: jest.SpyInstance[] = [];

  beforeAll(async () => {
    ({ url, server } = await startEmulator({ guanceApiKey: apiKey, guanceMonitors: { m: monitor } }));
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
    const good = new GuanceClient({ endpoint: url, apiKey, timeoutMs: 300 });
    const clients = [
      good,
      new GuanceClient({ endpoint: url, apiKey: `${apiKey}-wrong`, timeoutMs: 300 }),
      // A wrong base path: the emulator's 404 echoes the path, secret and subUri included.
      new GuanceClient({ endpoint: `${url}/wrong`, apiKey, timeoutMs: 300 }),
      new GuanceClient({ endpoint: 'http://127.0.0.1:1', apiKey, timeoutMs: 300 }),
    ];
    captured.push(inspect(good, { depth: 10, showHidden: true }), JSON.stringify(good));
    for (const c of clients) await attempt(() => c.pushEvent(event, monitor));
    const faults = [{ rateLimit: true }, { status: 500 }, { status: 403 }, { hang: true }, { drop: true }];
    for (const fault of faults) {
      server.setFault({ api: 'guance', ...fault });
      await attempt(() => good.pushEvent(event, monitor));
    }
    server.clearFaults();
    await attempt(() => good.pushEvent({ event: { status: 'nope' } }, monitor));
    await Promise.all(clients.map((c) => c.close()));

    const text = captured.join('\n');
    expect(text).toContain('HTTP 404'); // the scenarios did run
    expect(text).toContain('ft.InvalidAPIKey');
    for (const secret of [apiKey, monitor.secret, monitor.subUri]) expect(text).not.toContain(secret);
  });
});

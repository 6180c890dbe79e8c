import { connect } from 'node:net';
import { EmulatorServer } from '../apps/emulator/src';
import { BridgeProcess, startBridge } from './support/bridge-process';
import { bridgeEnv, freshScenario, startTestEmulator } from './support/stack';

/**
 * One raw HTTP exchange: the server's answer (status line and headers), or the socket error's code.
 * It resolves once the answer's head arrived: a server that answers before reading a body may close
 * while the rest of it is still on its way.
 */
function raw(port: number, request: string | Buffer, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = connect({ port, host }, () => socket.write(request));
    socket.on('data', (d: Buffer) => {
      answer += d.toString('latin1');
      if (answer.includes('\r\n\r\n')) socket.destroy();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(answer || (err.code ?? 'error')));
    socket.on('close', () => resolve(answer));
    socket.setTimeout(10_000, () => socket.destroy());
  });
}

const status = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: bridge\r\nConnection: close\r\n\r\n`;

describe('ops HTTP: bound to HTTP_HOST, three routes, no banner, no body parsing, quiet on bad requests', () => {
  let emulator: { url: string; server: EmulatorServer };
  let bridge: BridgeProcess;

  beforeAll(async () => {
    emulator = await startTestEmulator();
    bridge = await startBridge(bridgeEnv(emulator.url, await freshScenario(1), { HTTP_HOST: '127.0.0.1' }));
    await bridge.waitReady();
  });
  afterAll(async () => {
    await bridge?.kill('SIGKILL');
    await emulator?.server.close();
  });

  it('listens on HTTP_HOST only', async () => {
    expect(status(await raw(bridge.port, get('/health/live')))).toBe(200);
    // 127.0.0.2 is loopback too, but not the address the bridge was told to bind.
    expect(await raw(bridge.port, get('/health/live'), '127.0.0.2')).toBe('ECONNREFUSED');
  });

  it('serves the three ops routes and 404 for anything else, never with X-Powered-By', async () => {
    const answers: [string, number][] = [];
    for (const path of ['/health/live', '/health/ready', '/metrics'])
      answers.push([path, status(await raw(bridge.port, get(path)))]);
    const others = ['/', '/health', '/health/live/x', '/metrics.json', '/admin', '/..%2fmetrics', '/api/produce'];
    for (const path of others) answers.push([path, status(await raw(bridge.port, get(path)))]);
    expect(answers).toEqual([
      ['/health/live', 200],
      ['/health/ready', 200],
      ['/metrics', 200],
      ...others.map((p): [string, number] => [p, 404]),
    ]);
    for (const path of ['/metrics', '/nope']) expect(await raw(bridge.port, get(path))).not.toMatch(/x-powered-by/i);
  });

  it('answers oversized and malformed requests with a 4xx and logs nothing about them', async () => {
    const before = bridge.output().length;
    // 5 MB announced, the first 64 KiB sent: the answer must not wait for (or parse) the rest.
    const big = 5 * 1024 * 1024;
    const part = 'x'.repeat(64 * 1024);
    const requests: [string, string | Buffer][] = [
      [
        'a malformed JSON body',
        `POST /health/live HTTP/1.1\r\nHost: b\r\nContent-Type: application/json\r\nContent-Length: 9\r\nConnection: close\r\n\r\n{"a":nul`,
      ],
      [
        'a 5 MB JSON body',
        `POST /metrics HTTP/1.1\r\nHost: b\r\nContent-Type: application/json\r\nContent-Length: ${big}\r\n\r\n${part}`,
      ],
      [
        'a 5 MB form body',
        `POST /health/ready HTTP/1.1\r\nHost: b\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${big}\r\n\r\na=${part}`,
      ],
      ['a 64 KiB header', `GET /metrics HTTP/1.1\r\nHost: b\r\nX-Big: ${'y'.repeat(64 * 1024)}\r\n\r\n`],
      ['a bad request line', 'GET /metrics HTTP/9.9 garbage\r\n\r\n'],
      ['a path that does not decode', get('/%zz')],
      ['binary noise', Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03])],
      ['a bad Content-Length', 'POST /metrics HTTP/1.1\r\nHost: b\r\nContent-Length: -1\r\n\r\n'],
    ];
    const statuses: [string, number][] = [];
    for (const [what, request] of requests) statuses.push([what, status(await raw(bridge.port, request))]);
    for (const [what, code] of statuses) {
      expect([what, code >= 400 && code < 500]).toEqual([what, true]);
    }
    expect(status(await raw(bridge.port, get('/health/live')))).toBe(200); // still serving
    await new Promise((r) => setTimeout(r, 500));
    // Start-up may still be logging at info; nothing at warn or above, no request, error or stack.
    const logged = bridge
      .output()
      .slice(before)
      .split('\n')
      .filter((line) => line && (!/^\{"level":(10|20|30),/.test(line) || /stack|Error|"req"/.test(line)));
    expect(logged).toEqual([]);
  });
});

import { SignatureV2 } from '@app/ncp/signature-v2';
import { Agent, request } from 'undici';
import { makeTestCa } from '../../../test/support/test-ca';
import { EMULATOR_DEFAULTS, EmulatorServer } from './emulator-server';
import { startEmulator } from './start-emulator';

const signer = new SignatureV2(EMULATOR_DEFAULTS.ncp);
const monitor = EMULATOR_DEFAULTS.guanceMonitors.default;
const pushPath = `/api/v1/push-events/${monitor.secret}/${monitor.subUri}`;

describe('EmulatorServer', () => {
  let server: EmulatorServer;
  let url: string;

  async function call(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, headers = {}, base = url) {
    const res = await request(base + path, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, json: text ? JSON.parse(text) : undefined };
  }
  const ncp = (path: string, body?: unknown, method: 'GET' | 'POST' = 'POST', base = url) =>
    call(method, path, body, signer.headers(method, path), base);
  const guance = (body: unknown, path = pushPath) =>
    call('POST', path, body, { 'df-api-key': EMULATOR_DEFAULTS.guanceApiKey });

  beforeAll(async () => ({ url, server } = await startEmulator({ maxStoredEntries: 5 })));
  afterEach(() => server.reset());
  afterAll(() => server.close());

  describe('Data Stream produce', () => {
    it('answers as the Data Stream documentation does', async () => {
      const res = await ncp('/api/produce', { topic: 't', key: 'k', value: 'v', partition: 0 });
      expect(res).toMatchObject({ status: 200, json: { status: '200', detail: 'OK' } });
    });

    it.each([
      ['no topic', { key: 'k', value: 'v' }, 'Bad Request'],
      ['a number value', { topic: 't', key: 'k', value: 1 }, 'Bad Request'],
      [
        'a negative partition',
        { topic: 't', key: 'k', value: 'v', partition: -1 },
        'Bad Request, Invalid topic partition',
      ],
      [
        'a fractional partition',
        { topic: 't', key: 'k', value: 'v', partition: 1.5 },
        'Bad Request, Invalid topic partition',
      ],
      ['not JSON', '{"topic":', 'Bad Request'],
    ])('refuses %s with 400', async (_what, body, detail) => {
      expect(await ncp('/api/produce', body)).toMatchObject({ status: 400, json: { status: '400', detail } });
      expect(server.stats().datastream).toMatchObject({ accepted: 0, rejected: 1, statuses: { 400: 1 } });
    });

    it('refuses requests without signature headers', async () => {
      const res = await call('POST', '/api/produce', { topic: 't', key: 'k', value: 'v' });
      expect(res).toMatchObject({ status: 401, json: { error: { errorCode: '200' } } });
    });

    it('checks the signature over the query string too', async () => {
      const headers = signer.headers('POST', '/api/produce');
      const res = await call('POST', '/api/produce?x=1', { topic: 't', key: 'k', value: 'v' }, headers);
      expect(res).toMatchObject({ status: 401, json: { error: { details: 'signature mismatch' } } });
      expect((await ncp('/api/produce?x=1', { topic: 't', key: 'k', value: 'v' })).status).toBe(200);
    });
  });

  describe('Cloud Insight SendData', () => {
    it('records each element of data, and an object as one', async () => {
      expect(await ncp('/cw_collector/real/data', { cw_key: 'k', data: [{ a: 1 }, { a: 2 }] })).toMatchObject({
        status: 200,
        json: { result: 'success', dataId: -1, message: '' },
      });
      await ncp('/cw_collector/real/data', { cw_key: 'k', data: { a: 3 } });
      expect(server.received('cloudinsight').entries.map((e) => e.body)).toEqual([
        { cw_key: 'k', data: { a: 1 } },
        { cw_key: 'k', data: { a: 2 } },
        { cw_key: 'k', data: { a: 3 } },
      ]);
    });

    it('discards records without cw_key silently: 200, nothing recorded', async () => {
      expect((await ncp('/cw_collector/real/data', { data: { a: 1 } })).status).toBe(200);
      expect(server.stats().cloudinsight).toMatchObject({ accepted: 0, ignored: 1 });
    });

    it('refuses data that is neither object nor array of objects', async () => {
      expect((await ncp('/cw_collector/real/data', { cw_key: 'k', data: 5 })).status).toBe(400);
      expect((await ncp('/cw_collector/real/data', { cw_key: 'k', data: [1] })).status).toBe(400);
    });
  });

  describe('Guance push-events', () => {
    it('answers the seed success body and records the event under its monitor', async () => {
      const res = await guance({ event: { status: 'ok' } });
      expect(res).toMatchObject({ status: 200, json: { code: 200, success: true, errorCode: '' } });
      expect(server.received('guance').entries).toMatchObject([
        { monitor: 'default', body: { event: { status: 'ok' } } },
      ]);
    });

    it.each([
      ['no event', {}],
      ['an unknown status', { event: { status: 'fine' } }],
      ['a date that is not an integer', { event: { status: 'ok', date: 1.5 } }],
      ['extraData that is not an object', { event: { status: 'ok' }, extraData: 'x' }],
    ])('refuses %s with 400', async (_what, body) => {
      expect(await guance(body)).toMatchObject({ status: 400, json: { errorCode: 'ft.ParamError' } });
    });

    it('refuses a wrong DF-API-KEY with 403 ft.InvalidAPIKey', async () => {
      const res = await call('POST', pushPath, { event: { status: 'ok' } }, { 'df-api-key': 'nope' });
      expect(res).toMatchObject({ status: 403, json: { errorCode: 'ft.InvalidAPIKey' } });
    });
  });

  describe('CreateIntegration and the list', () => {
    const create = '/cw_fea/real/cw/api/integration/create';
    const spec = { name: 'a', url: 'https://x.example', payload: '{}', type: 'OUT_GOING' };

    it('keeps integrations, names not unique, and lists them', async () => {
      const first = await ncp(create, spec);
      const second = await ncp(create, spec);
      expect(first.status).toBe(200);
      expect(typeof first.json).toBe('string');
      const list = await ncp('/cw_fea/real/cw/api/integration', undefined, 'GET');
      expect(list.json).toEqual([
        { integrationId: first.json, name: 'a', type: 'OUT_GOING', url: 'https://x.example' },
        { integrationId: second.json, name: 'a', type: 'OUT_GOING', url: 'https://x.example' },
      ]);
    });

    it('serves no list when told to serve only the documented calls, and still creates', async () => {
      const documented = await startEmulator({ documentedOnly: true });
      try {
        expect((await ncp('/cw_fea/real/cw/api/integration', undefined, 'GET', documented.url)).status).toBe(404);
        const created = await ncp(create, spec, 'POST', documented.url);
        expect(created.status).toBe(200);
        expect(documented.server.integrations()).toMatchObject([{ integrationId: created.json, name: 'a' }]);
      } finally {
        await documented.server.close();
      }
    });

    it.each([
      ['another type', { type: 'IN_COMING' }],
      ['a long payload', { payload: 'x'.repeat(15_001) }],
      ['11 headers', { headers: Object.fromEntries([...Array(11)].map((_, i) => [`h${i}`, 'v'])) }],
      ['a header name with a dot', { headers: { 'a.b': 'v' } }],
    ])('refuses %s', async (_what, change) => {
      expect((await ncp(create, { ...spec, ...change })).status).toBe(400);
      expect(server.integrations()).toEqual([]);
    });
  });

  describe('recording', () => {
    it('pages with since, keeps bodies up to the cap and counts past it', async () => {
      for (let i = 0; i < 7; i++) await ncp('/api/produce', { topic: 't', key: `k${i}`, value: 'v' });
      const page = server.received('datastream', 2, 2);
      expect(page).toMatchObject({ next: 4, accepted: 7 });
      expect(page.entries.map((e) => [e.seq, e.key])).toEqual([
        [2, 'k2'],
        [3, 'k3'],
      ]);
      expect(server.received('datastream', 4).entries.map((e) => e.key)).toEqual(['k4']);
      expect(server.stats().datastream).toMatchObject({ requests: 7, accepted: 7, stored: 5 });
    });
  });

  describe('TLS', () => {
    it('serves the certificate given to useCertificate to every client that connects from then on', async () => {
      const [trusted, other] = await Promise.all([makeTestCa(), makeTestCa()]);
      const tls = await startEmulator({ tls: { key: trusted.key, cert: trusted.cert } });
      // a client that trusts the first CA only, on a new connection each time
      const health = async (): Promise<number | string> => {
        const agent = new Agent({ connect: { ca: trusted.caPem } });
        try {
          const res = await request(`${tls.url}/_emulator/health`, { dispatcher: agent });
          await res.body.dump();
          return res.statusCode;
        } catch (err) {
          return (err as { code?: string }).code ?? String(err);
        } finally {
          await agent.close();
        }
      };
      try {
        expect(await health()).toBe(200);
        tls.server.useCertificate({ key: other.key, cert: other.cert });
        expect(await health()).toMatch(/^(CERT_|UNABLE_TO_)/); // another CA: its signature does not verify
        tls.server.useCertificate({ key: trusted.key, cert: trusted.cert });
        expect(await health()).toBe(200);
        expect(() => server.useCertificate({ key: other.key, cert: other.cert })).toThrow(/plain HTTP/);
      } finally {
        await tls.server.close();
      }
    });
  });

  describe('faults', () => {
    it('every Nth call, at most `times` times, scoped to one API', async () => {
      server.setFault({ api: 'datastream', status: 503, everyNth: 2, times: 2 });
      const statuses = [];
      for (let i = 0; i < 6; i++)
        statuses.push((await ncp('/api/produce', { topic: 't', key: 'k', value: 'v' })).status);
      expect(statuses).toEqual([200, 503, 200, 503, 200, 200]);
      expect((await guance({ event: { status: 'ok' } })).status).toBe(200);
    });

    it('beyond a quota of calls per second, as a gateway throttles', async () => {
      let now = Date.now();
      const clocked = new EmulatorServer({ host: '127.0.0.1', port: 0, clock: () => now });
      await clocked.start();
      try {
        clocked.setFault({ api: 'datastream', rateLimit: true, ratePerSecond: 20, retryAfter: 1 });
        const produce = async () => {
          const res = await ncp('/api/produce', { topic: 't', key: 'k', value: 'v' }, 'POST', clocked.url);
          return [res.status, res.headers['retry-after']];
        };
        // A burst of a tenth of a second's quota, then 429 until the quota refills.
        expect([await produce(), await produce(), await produce()]).toEqual([
          [200, undefined],
          [200, undefined],
          [429, '1'],
        ]);
        now += 50;
        expect(await produce()).toEqual([200, undefined]);
        expect(await produce()).toEqual([429, '1']);
        expect(clocked.stats().datastream).toMatchObject({ requests: 5, accepted: 3, statuses: { 200: 3, 429: 2 } });
      } finally {
        await clocked.close();
      }
    });

    it('for a time window', async () => {
      let now = Date.now();
      const clocked = new EmulatorServer({ host: '127.0.0.1', port: 0, clock: () => now });
      await clocked.start();
      try {
        clocked.setFault({ api: 'guance', status: 503, forMs: 60_000, retryAfter: 5 });
        const post = async () => {
          const res = await request(`${clocked.url}${pushPath}`, {
            method: 'POST',
            headers: { 'df-api-key': EMULATOR_DEFAULTS.guanceApiKey },
            body: JSON.stringify({ event: { status: 'ok' } }),
          });
          await res.body.dump();
          return res;
        };
        const during = await post();
        expect([during.statusCode, during.headers['retry-after']]).toEqual([503, '5']);
        now += 60_000;
        expect((await post()).statusCode).toBe(200);
        expect(clocked.listFaults()).toEqual([]);
      } finally {
        await clocked.close();
      }
    });

    it('refuses our credentials as each API does: NCP 401 errorCode 200, Guance 403 ft.InvalidAPIKey', async () => {
      for (const api of ['datastream', 'guance'] as const) server.setFault({ api, refuse: true });
      expect(await ncp('/api/produce', { topic: 't', key: 'k', value: 'v' })).toMatchObject({
        status: 401,
        json: { error: { errorCode: '200', message: 'Authentication Failed' } },
      });
      expect(await guance({ event: { status: 'ok' } })).toMatchObject({
        status: 403,
        json: { code: 403, errorCode: 'ft.InvalidAPIKey', success: false },
      });
      expect(server.stats().datastream.accepted + server.stats().guance.accepted).toBe(0);
    });

    it('with `match`, fails only the calls whose body holds the text, and counts only those', async () => {
      server.setFault({ api: 'datastream', status: 500, match: '"poison-7"', times: 2 });
      const send = async (key: string) => (await ncp('/api/produce', { topic: 't', key, value: 'v' })).status;
      expect([await send('poison-7'), await send('poison-70'), await send('ok-1'), await send('poison-7')]).toEqual([
        500, 200, 200, 500,
      ]);
      expect(await send('poison-7')).toBe(200); // `times` reached
      expect(() => server.setFault({ api: 'datastream', status: 500, match: '' })).toThrow(/match/);
    });

    it('latency delays the answer', async () => {
      server.setFault({ api: 'datastream', latencyMs: 200 });
      const started = Date.now();
      expect((await ncp('/api/produce', { topic: 't', key: 'k', value: 'v' })).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    });

    it('refuses a malformed fault', () => {
      expect(() => server.setFault({ api: 'nope' } as never)).toThrow(/api must be/);
      expect(() => server.setFault({ api: 'guance', drop: true, hang: true })).toThrow(/at most one/);
      expect(() => server.setFault({ api: 'guance', everyNth: 0 })).toThrow(/everyNth/);
    });
  });

  describe('control API', () => {
    it('sets, lists and clears faults, reports stats, pages received records and resets', async () => {
      expect(await call('POST', '/_emulator/faults', { api: 'cloudinsight', status: 500 })).toMatchObject({
        status: 200,
        json: [{ api: 'cloudinsight', status: 500 }],
      });
      expect(await call('POST', '/_emulator/faults', { api: 'x' })).toMatchObject({ status: 400 });
      expect((await ncp('/cw_collector/real/data', { cw_key: 'k', data: {} })).status).toBe(500);
      expect(await call('DELETE', '/_emulator/faults')).toMatchObject({ status: 200, json: [] });
      await ncp('/api/produce', { topic: 't', key: 'k', value: 'v' });

      const stats = await call('GET', '/_emulator/stats');
      expect(stats.json.cloudinsight).toMatchObject({ rejected: 1, statuses: { 500: 1 } });
      expect(stats.json.datastream).toMatchObject({ accepted: 1, statuses: { 200: 1 } });
      const received = await call('GET', '/_emulator/received?api=datastream&since=0');
      expect(received.json).toMatchObject({ api: 'datastream', next: 1, entries: [{ seq: 0, key: 'k' }] });
      expect((await call('GET', '/_emulator/received?api=datastream&since=1')).json.entries).toEqual([]);
      expect((await call('GET', '/_emulator/received?api=nope')).status).toBe(400);

      expect((await call('POST', '/_emulator/reset')).status).toBe(200);
      expect((await call('GET', '/_emulator/stats')).json.datastream.accepted).toBe(0);
      expect((await call('GET', '/_emulator/health')).json).toEqual({ ok: true });
    });
  });
});

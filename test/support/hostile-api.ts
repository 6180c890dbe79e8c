import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Bytes of an error's detail the bridge shows: 1 KiB for all of `x-dlq-error`, less `HTTP 400: `. */
export const DETAIL_CUT = 1024 - 'HTTP 400: '.length;
/** How far before and past the echo the cut is also put. */
const MARGIN = 8;
/**
 * Permanent and retryable statuses in turn, never five retryable in a row (that would pause the
 * target), and now and then a success: a record retried while others are delivered is dead-lettered
 * at its deadline (exhausted) with the retryable page's text.
 */
const STATUSES = [400, 413, 503, 404, 200, 422, 500, 302, 410, 429, 400, 502];
/** Credentials refused (the target pauses until a probe gets another answer): a few pages only. */
const REFUSED_EVERY = 97;

type Api = 'ncp' | 'datastream' | 'guance';

const SUCCESS: Record<Api, string> = {
  ncp: JSON.stringify({ result: 'success', dataId: -1, message: '' }),
  datastream: JSON.stringify({ status: '200', detail: 'OK' }),
  guance: JSON.stringify({ code: 200, errorCode: '', message: '', success: true }),
};

const apiOf = (path: string): Api =>
  path.startsWith('/api/produce') ? 'datastream' : path.startsWith('/api/v1/push-events/') ? 'guance' : 'ncp';

const html = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** The request as a gateway, WAF or proxy page would echo it: request line and every header. */
function dump(req: IncomingMessage): string {
  const headers = Object.entries(req.headers).map(([k, v]) => `${k}: ${String(v)}`);
  return [`${req.method} ${req.url} HTTP/1.1`, ...headers].join('\n');
}

/**
 * Pages echoing the request, given the bytes of padding before the echo: with `DETAIL_CUT - at` of
 * them the bridge's cut falls at position `at` of the echo.
 */
const SHAPES: Record<string, (req: IncomingMessage, api: Api) => (pad: number) => string> = {
  'text page': (req) => (pad) => `${'.'.repeat(pad)}${dump(req)}\n-- request refused --`,
  'HTML page': (req) => (pad) => `${'.'.repeat(pad)}<pre>${html(dump(req))}</pre><p>Request refused.</p>`,
  'URL-encoded echo': (req) => (pad) =>
    `${'.'.repeat(pad)}<a href="/login?next=${encodeURIComponent(req.url ?? '')}&h=${encodeURIComponent(JSON.stringify(req.headers))}">sign in</a>`,
  'JSON headers echo': (req) => (pad) =>
    `${'.'.repeat(pad)}${JSON.stringify({ method: req.method, url: req.url, headers: req.headers }).replace(/\//g, '\\/')}`,
  // The API's own error shape, the echo inside the fields the bridge reads.
  'error fields': (req, api) => (pad) => {
    const echo = '.'.repeat(pad) + dump(req);
    if (api === 'guance') return JSON.stringify({ code: 403, errorCode: 'ft.Refused', message: echo, success: false });
    if (api === 'datastream')
      return JSON.stringify({ type: 'about:blank', title: 'Refused', status: 400, detail: echo });
    return JSON.stringify({ error: { errorCode: '210', message: 'Permission Denied', details: echo } });
  },
};
export const SHAPE_NAMES = Object.keys(SHAPES);

/** Where the echo starts in the bridge's error text for a page with no padding (its own prefix). */
function prefixOf(shape: string, api: Api): number {
  if (shape !== 'error fields') return 0;
  if (api === 'guance') return 'ft.Refused: '.length;
  if (api === 'datastream') return 0;
  return 'errorCode 210: Permission Denied ('.length;
}

export interface HostileApi {
  url: string;
  /** Pages still to serve per API until every shape had the cut at every position of its echo. */
  missing(): Record<Api, number>;
  /** Cut positions served, per API and shape. */
  served(): Record<string, number>;
  /** Requests answered 200: each delivered its record. */
  delivered(): number;
  /** Values of the headers the bridge sent that must never come back: signatures and timestamps. */
  sent: { signatures: Set<string>; timestamps: Set<string> };
  close(): Promise<void>;
}

/**
 * An API that refuses most requests with a page echoing the request URL and headers, sized so that
 * the bridge's 1 KiB cut falls at every position of the echo (and a little before and after), in
 * every shape. The pages of one API are served in turn: shape, then cut position.
 */
export async function startHostileApi(): Promise<HostileApi> {
  const next: Record<Api, number> = { ncp: 0, datastream: 0, guance: 0 };
  const echoLength = new Map<string, number>();
  const served = new Map<string, Set<number>>();
  /** Cut positions in the echo of `key` not served yet: -MARGIN (before it) to its length + MARGIN (past it). */
  const unserved = (key: string): number[] => {
    const done = served.get(key) ?? new Set<number>();
    const all = Array.from({ length: (echoLength.get(key) ?? 0) + 2 * MARGIN + 1 }, (_, i) => i - MARGIN);
    return all.filter((at) => !done.has(at));
  };
  const sent = { signatures: new Set<string>(), timestamps: new Set<string>() };
  let delivered = 0;

  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const api = apiOf(req.url ?? '');
      const signature = req.headers['x-ncp-apigw-signature-v2'];
      if (typeof signature === 'string') sent.signatures.add(signature);
      const timestamp = req.headers['x-ncp-apigw-timestamp'];
      if (typeof timestamp === 'string') sent.timestamps.add(timestamp);
      const k = next[api]++;
      const status = k % REFUSED_EVERY === REFUSED_EVERY - 1 ? (k % 2 ? 401 : 403) : STATUSES[k % STATUSES.length];
      if (status === 200) {
        delivered++;
        return res.writeHead(200, { 'content-type': 'application/json' }).end(SUCCESS[api]);
      }
      const shape = SHAPE_NAMES[k % SHAPE_NAMES.length];
      const page = SHAPES[shape](req, api);
      const key = `${api} ${shape}`;
      echoLength.set(key, Math.max(echoLength.get(key) ?? 0, page(0).length - prefixOf(shape, api)));
      const at = unserved(key)[0] ?? (k % (2 * MARGIN)) - MARGIN;
      const body = page(Math.max(0, DETAIL_CUT - prefixOf(shape, api) - at));
      served.set(key, (served.get(key) ?? new Set()).add(at));
      res.writeHead(status, { 'content-type': shape === 'error fields' ? 'application/json' : 'text/html' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent,
    missing: () => {
      const out = { ncp: 0, datastream: 0, guance: 0 };
      for (const api of Object.keys(out) as Api[]) {
        for (const shape of SHAPE_NAMES)
          out[api] += served.has(`${api} ${shape}`) ? unserved(`${api} ${shape}`).length : 1;
      }
      return out;
    },
    delivered: () => delivered,
    served: () => Object.fromEntries([...served].map(([k, v]) => [k, v.size])),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

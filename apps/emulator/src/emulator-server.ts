import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import { createServer as createTlsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { GuanceMonitor } from '@app/guance';
import type { NcpCredentials } from '@app/ncp';
import type { Clock } from '@app/http';
import { SignatureV2 } from '@app/ncp/signature-v2';
import * as answers from './answers';
import * as bodies from './bodies';
import { FaultEffect, FaultSpec, FaultTable, parseFault } from './faults';
import { ApiStats, EmulatedApi, isEmulatedApi, ReceivedEntry, ReceivedPage, Recorder } from './recorder';

export interface EmulatorOptions {
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 0.0.0.0. */
  host?: string;
  /** The one sub account the NCP APIs accept. */
  ncp?: NcpCredentials;
  /** The DF-API-KEY Guance accepts. */
  guanceApiKey?: string;
  /** Monitors whose events are recorded; events for any other secret/subUri are ignored. */
  guanceMonitors?: Record<string, GuanceMonitor>;
  /** Accepted records held with their body, over all APIs (counts are always kept). */
  maxStoredEntries?: number;
  /** The gateway clock signatures are checked against. */
  clock?: Clock;
  /**
   * Serve only the calls the API documents: no list of integrations (404, like any path it does
   * not know), so clients can be tested against what they may rely on.
   */
  documentedOnly?: boolean;
  /** Serve HTTPS with this key and certificate (PEM), as the real APIs do. */
  tls?: { key: string; cert: string };
}

/** Keys the emulator accepts unless told otherwise; fit for tests and the local stack only. */
export const EMULATOR_DEFAULTS = {
  ncp: { accessKey: 'emulator-access-key', secretKey: 'emulator-secret-key' },
  guanceApiKey: 'emulator-guance-api-key',
  guanceMonitors: { default: { secret: 'emulator-monitor-secret', subUri: 'emulator-monitor' } },
  maxStoredEntries: 1_000_000,
};

export interface StoredIntegration {
  integrationId: string;
  name: string;
  type: string;
  url: string;
  payload: string;
  headers: Record<string, string>;
  dmnCd: string;
}

const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
const PUSH_EVENTS_PREFIX = '/api/v1/push-events/';
const DOCUMENTED_ROUTES: Record<string, EmulatedApi> = {
  'POST /api/produce': 'datastream',
  'POST /cw_collector/real/data': 'cloudinsight',
  'POST /cw_fea/real/cw/api/integration/create': 'integration',
};
/** Calls the API documents do not describe; our clients assume them. */
const UNDOCUMENTED_ROUTES: Record<string, EmulatedApi> = {
  'GET /cw_fea/real/cw/api/integration': 'integration',
};
const JSON_TYPE = 'application/json';

type Reply = [status: number, body: string, headers?: OutgoingHttpHeaders];

/**
 * Emulates Data Stream produce, Cloud Insight SendData/CreateIntegration and Guance push-events on
 * plain node:http (it has to keep up with the benchmark), records what it accepted and injects
 * faults on demand. Control API under /_emulator/, mirrored by the public methods.
 */
export class EmulatorServer {
  private readonly server: Server;
  private readonly recorder: Recorder;
  private readonly faults = new FaultTable();
  private readonly clock: Clock;
  private readonly ncp: NcpCredentials;
  private readonly guanceApiKey: string;
  private readonly monitors = new Map<string, string>();
  private readonly routes: Record<string, EmulatedApi>;
  private integrationList: StoredIntegration[] = [];
  /** The last signature computed: requests in the same millisecond to the same path share it. */
  private lastSignature = { input: '', expected: Buffer.alloc(0) };

  constructor(private readonly opts: EmulatorOptions = {}) {
    this.clock = opts.clock ?? Date.now;
    this.ncp = opts.ncp ?? EMULATOR_DEFAULTS.ncp;
    this.guanceApiKey = opts.guanceApiKey ?? EMULATOR_DEFAULTS.guanceApiKey;
    this.routes = opts.documentedOnly ? DOCUMENTED_ROUTES : { ...DOCUMENTED_ROUTES, ...UNDOCUMENTED_ROUTES };
    for (const [name, m] of Object.entries(opts.guanceMonitors ?? EMULATOR_DEFAULTS.guanceMonitors)) {
      this.monitors.set(`${m.secret}\n${m.subUri}`, name);
    }
    this.recorder = new Recorder(opts.maxStoredEntries ?? EMULATOR_DEFAULTS.maxStoredEntries);
    const options = { keepAliveTimeout: 65_000, headersTimeout: 66_000 };
    const onRequest = (req: IncomingMessage, res: ServerResponse) => this.onRequest(req, res);
    this.server = opts.tls ? createTlsServer({ ...options, ...opts.tls }, onRequest) : createServer(options, onRequest);
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port ?? 8080, this.opts.host ?? '0.0.0.0', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  /** Stops listening and ends every connection, hung requests included. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /**
   * Serves this key and certificate from now on (an emulator started with `tls` only), and ends
   * every connection, so clients handshake again: an API whose certificate changes.
   */
  useCertificate(tls: { key: string; cert: string }): void {
    if (!this.opts.tls) throw new Error('useCertificate: the emulator serves plain HTTP');
    (this.server as HttpsServer).setSecureContext(tls);
    this.server.closeAllConnections();
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Base URL for clients; a wildcard host is given as 127.0.0.1. */
  get url(): string {
    const host = this.opts.host && this.opts.host !== '0.0.0.0' ? this.opts.host : '127.0.0.1';
    return `${this.opts.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  received(api: EmulatedApi, since?: number, limit?: number): ReceivedPage {
    return this.recorder.received(api, since, limit);
  }

  stats(): Record<EmulatedApi, ApiStats> {
    return this.recorder.snapshot();
  }

  /** Replaces the fault of `spec.api`; throws on a malformed spec. */
  setFault(spec: FaultSpec): void {
    this.faults.set(parseFault(spec), this.clock());
  }

  clearFaults(api?: EmulatedApi): void {
    this.faults.clear(api);
  }

  listFaults(): FaultSpec[] {
    return this.faults.list();
  }

  integrations(): StoredIntegration[] {
    return [...this.integrationList];
  }

  /** Forgets records, counts, faults and integrations. */
  reset(): void {
    this.recorder.reset();
    this.faults.clear();
    this.integrationList = [];
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const at = this.clock();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const api =
      this.routes[`${req.method} ${path}`] ??
      (req.method === 'POST' && path.startsWith(PUSH_EVENTS_PREFIX) ? 'guance' : undefined);
    if (api) this.recorder.stats(api).requests++;
    readBody(req, (raw) => {
      const trace = traceHeaders(req);
      const done = api
        ? this.handle(api, req, { url, path, raw, at, trace })
        : Promise.resolve(this.control(req, url, raw));
      done.then(
        (reply) => {
          if (!reply) return;
          if (api) this.recorder.answered(api, reply[0]);
          send(res, reply);
        },
        (err: unknown) => {
          console.error('emulator: request failed', err);
          if (!res.headersSent) send(res, [500, answers.ncpError(500)]);
        },
      );
    });
  }

  /** An API call: faults first (as a gateway would), then authentication, body, effect. */
  private async handle(api: EmulatedApi, req: IncomingMessage, call: Call): Promise<Reply | undefined> {
    const fault = this.faults.next(api, call.at, call.raw);
    if (fault?.latencyMs) await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
    if (fault?.effect?.type === 'drop') {
      this.recorder.stats(api).dropped++;
      req.socket.resetAndDestroy();
      return undefined;
    }
    if (fault?.effect?.type === 'hang') {
      // No answer: the connection stays open until the client gives up or close() ends it.
      this.recorder.stats(api).hung++;
      return undefined;
    }
    if (fault?.effect) return injected(api, fault.effect);
    if (api === 'guance') return this.pushEvent(req, call);
    const refused = this.checkSignature(req, call.url);
    if (refused) return refused;
    if (!call.raw) return [413, answers.ncpError(413, 'request body too large')];
    if (req.method === 'GET') return [200, JSON.stringify(this.integrationList.map(summary))];
    const body = parseJson(call.raw);
    if (api === 'datastream') return this.produce(body, call);
    if (api === 'cloudinsight') return this.sendData(body, call, req.headers['x-ncp-region_no']);
    return this.createIntegration(body, call, req.headers['x-ncp-dmn_cd']);
  }

  private checkSignature(req: IncomingMessage, url: string): Reply | undefined {
    const timestamp = req.headers['x-ncp-apigw-timestamp'];
    const accessKey = req.headers['x-ncp-iam-access-key'];
    const signature = req.headers['x-ncp-apigw-signature-v2'];
    const refuse = (details: string): Reply => refusal('datastream', details);
    if (typeof timestamp !== 'string' || typeof accessKey !== 'string' || typeof signature !== 'string') {
      return refuse('missing signature headers');
    }
    if (accessKey !== this.ncp.accessKey) return refuse('unknown access key');
    if (!/^\d+$/.test(timestamp) || Math.abs(this.clock() - Number(timestamp)) > MAX_CLOCK_SKEW_MS) {
      return refuse('timestamp more than 5 minutes off the gateway clock');
    }
    const input = `${req.method} ${url}\n${timestamp}`;
    if (this.lastSignature.input !== input) {
      const signed = SignatureV2.sign(this.ncp.secretKey, req.method ?? '', url, timestamp, accessKey);
      this.lastSignature = { input, expected: Buffer.from(signed) };
    }
    const { expected } = this.lastSignature;
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return refuse('signature mismatch');
    return undefined;
  }

  private produce(body: unknown, call: Call): Reply {
    const why = body === INVALID ? 'Bad Request' : bodies.checkDataStream(body);
    if (why) return [400, answers.dataStreamError(400, why)];
    const message = body as { key: string; value: string };
    const { length } = message.value;
    if (
      length * 3 > bodies.DATASTREAM_MAX_VALUE_BYTES &&
      Buffer.byteLength(message.value) > bodies.DATASTREAM_MAX_VALUE_BYTES
    ) {
      return [413, answers.ncpError(413, 'value is longer than 1 MiB')];
    }
    this.recorder.accept('datastream', { at: call.at, key: message.key, body, ...call.trace });
    return [200, answers.DATASTREAM_OK];
  }

  private sendData(body: unknown, call: Call, regionNo: string | string[] | undefined): Reply {
    const why = body === INVALID ? 'body is not JSON' : bodies.checkSendData(body);
    if (why) return [400, answers.ncpError(400, why)];
    const { cw_key, data } = body as { cw_key?: unknown; data: object | object[] };
    // Records without cw_key are discarded silently by the real API: 200, nothing kept.
    if (typeof cw_key !== 'string' || cw_key === '') {
      this.recorder.stats('cloudinsight').ignored++;
      return [200, answers.SEND_DATA_OK];
    }
    const region = typeof regionNo === 'string' ? { regionNo } : {};
    for (const record of Array.isArray(data) ? data : [data]) {
      this.recorder.accept('cloudinsight', { at: call.at, body: { cw_key, data: record }, ...region, ...call.trace });
    }
    return [200, answers.SEND_DATA_OK];
  }

  private createIntegration(body: unknown, call: Call, dmnCd: string | string[] | undefined): Reply {
    const why = body === INVALID ? 'body is not JSON' : bodies.checkCreateIntegration(body);
    if (why) return [400, answers.ncpError(400, why)];
    const spec = body as Omit<StoredIntegration, 'integrationId' | 'dmnCd'>;
    const integrationId = randomBytes(8).toString('hex');
    this.integrationList.push({
      integrationId,
      name: spec.name,
      type: spec.type,
      url: spec.url,
      payload: spec.payload,
      headers: spec.headers ?? {},
      dmnCd: typeof dmnCd === 'string' ? dmnCd : 'PUB',
    });
    this.recorder.accept('integration', { at: call.at, body, integrationId });
    return [200, JSON.stringify(integrationId)];
  }

  private pushEvent(req: IncomingMessage, call: Call): Reply {
    const [secret, subUri, ...rest] = call.path.slice(PUSH_EVENTS_PREFIX.length).split('/').map(decode);
    if (!secret || !subUri || rest.length > 0) {
      return [404, answers.guanceError(404, 'ft.NotFound', 'expected /api/v1/push-events/{secret}/{subUri}')];
    }
    if (req.headers['df-api-key'] !== this.guanceApiKey) return refusal('guance', 'invalid API key');
    if (!call.raw) return [413, answers.guanceError(413, 'ft.RequestTooLarge', 'request body too large')];
    const body = parseJson(call.raw);
    const why = body === INVALID ? 'body is not JSON' : bodies.checkPushEvent(body);
    if (why) return [400, answers.guanceError(400, 'ft.ParamError', why)];
    const monitor = this.monitors.get(`${secret}\n${subUri}`);
    // The real API answers 200 for a secret/subUri of no monitor, and ignores the event.
    if (monitor === undefined) this.recorder.stats('guance').ignored++;
    else this.recorder.accept('guance', { at: call.at, monitor, body, ...call.trace });
    return [200, answers.GUANCE_OK];
  }

  private control(req: IncomingMessage, url: string, raw: Buffer | undefined): Reply {
    const { pathname, searchParams } = new URL(url, 'http://emulator');
    const route = `${req.method} ${pathname}`;
    const ok = (value: unknown): Reply => [200, JSON.stringify(value)];
    const bad = (message: string): Reply => [400, JSON.stringify({ error: message })];
    try {
      switch (route) {
        case 'GET /_emulator/health':
          return ok({ ok: true });
        case 'GET /_emulator/received': {
          const api = searchParams.get('api');
          if (!isEmulatedApi(api)) return bad('api must be datastream, cloudinsight, guance or integration');
          const since = Number(searchParams.get('since') ?? 0);
          const limit = Number(searchParams.get('limit') ?? 10_000);
          if (!(Number.isInteger(since) && since >= 0 && Number.isInteger(limit) && limit > 0)) {
            return bad('since and limit must be integers');
          }
          return ok(this.received(api, since, limit));
        }
        case 'GET /_emulator/stats':
          return ok(this.stats());
        case 'GET /_emulator/faults':
          return ok(this.listFaults());
        case 'POST /_emulator/faults':
          this.setFault(parseJson(raw ?? Buffer.alloc(0)) as FaultSpec);
          return ok(this.listFaults());
        case 'DELETE /_emulator/faults': {
          const api = searchParams.get('api') ?? undefined;
          if (api !== undefined && !isEmulatedApi(api)) return bad('unknown api');
          this.clearFaults(api);
          return ok(this.listFaults());
        }
        case 'GET /_emulator/integrations':
          return ok(this.integrations());
        case 'POST /_emulator/reset':
          this.reset();
          return ok({ ok: true });
        default:
          return [404, JSON.stringify({ error: `no route ${route}` })];
      }
    } catch (err) {
      return bad((err as Error).message);
    }
  }
}

interface Call {
  url: string;
  path: string;
  /** The W3C trace context the request carried, if any. */
  trace: Pick<ReceivedEntry, 'traceparent' | 'tracestate'> | undefined;
  /** The request body; undefined when it was larger than we read. */
  raw: Buffer | undefined;
  at: number;
}

const INVALID = Symbol('invalid JSON');

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return INVALID;
  }
}

function traceHeaders(req: IncomingMessage): Call['trace'] {
  const { traceparent, tracestate } = req.headers;
  if (typeof traceparent !== 'string') return undefined;
  return typeof tracestate === 'string' ? { traceparent, tracestate } : { traceparent };
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function summary(i: StoredIntegration): Pick<StoredIntegration, 'integrationId' | 'name' | 'type' | 'url'> {
  return { integrationId: i.integrationId, name: i.name, type: i.type, url: i.url };
}

/** How the API refuses our credentials: NCP 401 errorCode 200, Guance 403 ft.InvalidAPIKey. */
function refusal(api: EmulatedApi, details: string): Reply {
  return api === 'guance'
    ? [403, answers.guanceError(403, 'ft.InvalidAPIKey', details)]
    : [401, answers.ncpError(401, details)];
}

function injected(api: EmulatedApi, effect: Exclude<FaultEffect, { type: 'drop' | 'hang' }>): Reply {
  if (effect.type === 'refuse') return refusal(api, 'credentials refused (fault injected by the emulator)');
  const headers = effect.retryAfter === undefined ? undefined : { 'retry-after': effect.retryAfter };
  if (api === 'guance') {
    return effect.type === 'rateLimit'
      ? [
          401,
          answers.guanceError(401, 'ft.TriggerApiWorkspaceCurrentLimiting', 'workspace rate limit reached'),
          headers,
        ]
      : [
          effect.status,
          answers.guanceError(effect.status, 'ft.InjectedFault', 'fault injected by the emulator'),
          headers,
        ];
  }
  const status = effect.type === 'rateLimit' ? 429 : effect.status;
  return [status, answers.ncpError(status, 'fault injected by the emulator'), headers];
}

/** Reads the whole body; passes undefined when it is over MAX_REQUEST_BYTES (read, not kept). */
function readBody(req: IncomingMessage, done: (raw: Buffer | undefined) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
  });
  req.on('end', () =>
    done(size > MAX_REQUEST_BYTES ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)),
  );
}

function send(res: ServerResponse, [status, body, headers]: Reply): void {
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

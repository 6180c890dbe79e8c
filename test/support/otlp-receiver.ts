import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { parse } from 'protobufjs';

/**
 * The part of OpenTelemetry's OTLP trace schema (opentelemetry-proto, collector/trace/v1 and the
 * messages it uses) a test reads; protobuf skips the fields left out.
 */
const OTLP_TRACES = `
syntax = "proto3";
package otlp;
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message Resource { repeated KeyValue attributes = 1; }
message ScopeSpans { repeated Span spans = 2; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4;
  string name = 5; int32 kind = 6; repeated KeyValue attributes = 9; repeated Event events = 11;
  repeated Link links = 13; Status status = 15;
  message Event { string name = 2; repeated KeyValue attributes = 3; }
  message Link { bytes trace_id = 1; bytes span_id = 2; repeated KeyValue attributes = 4; }
}
message Status { string message = 2; int32 code = 3; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; }
}
`;
const REQUEST = parse(OTLP_TRACES, { keepCase: false }).root.lookupType('otlp.ExportTraceServiceRequest');

export type Attributes = Record<string, string | number | boolean>;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState: string;
  name: string;
  /** OTLP SpanKind: 5 is CONSUMER. */
  kind: number;
  attributes: Attributes;
  events: { name: string; attributes: Attributes }[];
  links: { traceId: string; spanId: string; attributes: Attributes }[];
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
  resource: Attributes;
}

export interface OtlpReceiver {
  /** Base URL, for OTEL_EXPORTER_OTLP_ENDPOINT (spans arrive at /v1/traces). */
  url: string;
  spans: ReceivedSpan[];
  /** Every request body as received, to search for what must never be exported. */
  bodies: Buffer[];
  close(): Promise<void>;
}

/** An OTLP/HTTP collector on 127.0.0.1 that keeps the spans it receives (protobuf, as exporters send by default). */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const bodies: Buffer[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') return void res.writeHead(404).end();
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      bodies.push(body);
      spans.push(...decode(body));
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(); // an empty ExportTraceServiceResponse
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/* eslint-disable @typescript-eslint/no-explicit-any -- protobufjs gives decoded messages untyped */
function decode(body: Buffer): ReceivedSpan[] {
  // Plain objects: only the fields that were sent, 64-bit integers as numbers, bytes as base64.
  const request = REQUEST.toObject(REQUEST.decode(body), { longs: Number, bytes: String });
  return (request.resourceSpans ?? []).flatMap((rs: any) =>
    (rs.scopeSpans ?? []).flatMap((ss: any) =>
      (ss.spans ?? []).map((s: any): ReceivedSpan => ({
        traceId: hex(s.traceId),
        spanId: hex(s.spanId),
        parentSpanId: hex(s.parentSpanId),
        traceState: s.traceState ?? '',
        name: s.name,
        kind: s.kind,
        attributes: attributes(s.attributes),
        events: (s.events ?? []).map((e: any) => ({ name: e.name, attributes: attributes(e.attributes) })),
        links: (s.links ?? []).map((l: any) => ({
          traceId: hex(l.traceId),
          spanId: hex(l.spanId),
          attributes: attributes(l.attributes),
        })),
        status: { code: s.status?.code ?? 0, message: s.status?.message ?? '' },
        resource: attributes(rs.resource?.attributes),
      })),
    ),
  );
}

function attributes(list: any[] | undefined): Attributes {
  const out: Attributes = {};
  for (const { key, value } of list ?? []) {
    const v = value ?? {};
    out[key] = v.stringValue ?? v.boolValue ?? v.intValue ?? v.doubleValue;
  }
  return out;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

function hex(base64: string | undefined): string {
  return base64 ? Buffer.from(base64, 'base64').toString('hex') : '';
}

// CPU per record of routing (the route header, routes by topic) and of delivery spans (off: no
// wrapper; on: records without and with a traceparent), in process, nothing else running.
// Run: npx ts-node -r tsconfig-paths/register --transpile-only bench/routing.bench.ts
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BatchSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import type { InboundRecord, SendResult } from '@app/contracts';
import type { TargetSender } from '@app/delivery';
import { Router } from '../libs/delivery/src/routing';
import { DeliveryTracing } from '../apps/bridge/src/tracing/delivery-tracing';

const RECORDS = 1_000_000;
const TARGETS = ['datastream', 'cloudinsight', 'guance'];

function records(headers: (i: number) => InboundRecord['headers'], topic = 'orders'): InboundRecord[] {
  return Array.from({ length: 1000 }, (_, i) => ({
    topic,
    partition: 0,
    offset: String(i),
    key: Buffer.from(`k${i}`),
    value: Buffer.from('{"cw_key":"k","data":{"a":1}}'),
    headers: headers(i),
    timestamp: '0',
  }));
}

/** Nanoseconds per record of `fn` over RECORDS records (after a warm-up of the same size); awaited if it returns a promise. */
async function perRecord(label: string, batch: InboundRecord[], fn: (r: InboundRecord) => unknown): Promise<void> {
  const pass = async () => {
    for (let i = 0; i < RECORDS; i += batch.length) {
      for (const r of batch) {
        const result = fn(r);
        if (result instanceof Promise) await result;
      }
    }
  };
  await pass();
  const started = process.hrtime.bigint();
  await pass();
  const ns = Number(process.hrtime.bigint() - started) / RECORDS;
  console.log(`${label.padEnd(64)} ${ns.toFixed(0).padStart(6)} ns/record`);
}

async function main(): Promise<void> {
  const header = (target: string) => () => [
    { key: 'x-bridge-target', value: Buffer.from(target) },
    { key: 'x-test-id', value: Buffer.from('abc') },
  ];
  const withHeader = records(header('cloudinsight'));
  const plain = records(() => [{ key: 'x-test-id', value: Buffer.from('abc') }]);
  const base = { target: 'cloudinsight' as const, header: 'x-bridge-target', knownTargets: TARGETS };
  const noRoutes = new Router({ ...base, deadLettersUnroutable: true });
  const routes = new Router({
    ...base,
    deadLettersUnroutable: true,
    topicTargets: new Map([['orders', 'cloudinsight']]),
  });
  await perRecord('route(): header, no routes configured', withHeader, (r) => noRoutes.route(r));
  await perRecord('route(): header, on a routed topic', withHeader, (r) => routes.route(r));
  await perRecord('route(): no header, by its topic', plain, (r) => routes.route(r));

  const delivered: SendResult = { outcome: 'delivered', status: 200 };
  const sender: TargetSender<object> = {
    target: 'cloudinsight',
    parse: () => ({ ok: true, body: {} }),
    send: () => Promise.resolve(delivered),
  };
  const discard: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: () => Promise.resolve() };
  const provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: discard })] });
  const tracing = new DeliveryTracing(provider.getTracer('bench'), new W3CTraceContextPropagator(), () =>
    provider.shutdown(),
  );
  const traced = tracing.traced(sender, 'bench-cloudinsight', () => Promise.resolve(delivered));
  const deliver = (s: TargetSender<object>) => (r: InboundRecord) => {
    const parsed = s.parse(r, false);
    return parsed.ok ? s.send([parsed.body]) : undefined;
  };
  const withTrace = records((i) => [
    ...header('cloudinsight')(),
    {
      key: 'traceparent',
      value: Buffer.from(`00-4bf92f3577b34da6a3ce929d0e0e${String(4736 + i).padStart(4, '0')}-00f067aa0ba902b7-01`),
    },
  ]);
  await perRecord('parse + send: tracing off', withTrace, deliver(sender));
  await perRecord('parse + send: tracing on, record without traceparent', withHeader, deliver(traced));
  await perRecord('parse + send: tracing on, record with traceparent (span, export)', withTrace, deliver(traced));
  await tracing.shutdown();
}

void main();

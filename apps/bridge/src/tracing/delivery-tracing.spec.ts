import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  InMemorySpanExporter,
  ParentBasedSampler,
  AlwaysOnSampler,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import type { InboundRecord, SendResult } from '@app/contracts';
import type { TargetSender } from '@app/delivery';
import type { DeliveryCall } from '../targets/target-binding';
import { DeliveryTracing } from './delivery-tracing';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const DELIVERED: SendResult = { outcome: 'delivered', status: 200 };
const record = (offset: number, traceparent?: string): InboundRecord => ({
  topic: 'metrics',
  partition: 1,
  offset: String(offset),
  key: null,
  value: Buffer.from(`{"n":${offset}}`),
  headers: traceparent === undefined ? [] : [{ key: 'traceparent', value: Buffer.from(traceparent) }],
  timestamp: '0',
});

function setup(answers: SendResult[]) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracing = new DeliveryTracing(provider.getTracer('test'), new W3CTraceContextPropagator(), () =>
    provider.shutdown(),
  );
  const calls: DeliveryCall<object>[] = [];
  const deliver = (call: DeliveryCall<object>) => {
    calls.push(call);
    return Promise.resolve(answers.shift() ?? DELIVERED);
  };
  const plain: TargetSender<object> = {
    target: 'cloudinsight',
    parse: (r) => (r.value!.length > 20 ? { ok: false, reason: 'invalid', error: 'too long' } : { ok: true, body: {} }),
    send: (bodies, signal) => deliver({ bodies, signal }),
  };
  const sender = tracing.traced(plain, 'bridge-cloudinsight', deliver);
  const parse = (r: InboundRecord) => {
    const parsed = sender.parse(r, false);
    if (!parsed.ok) throw new Error('unexpected');
    return parsed.body;
  };
  return { exporter, tracing, sender, calls, parse };
}

describe('DeliveryTracing', () => {
  it('gives a coalesced call the first traced record its context; the others link to it', async () => {
    const { exporter, sender, calls, parse } = setup([{ outcome: 'retryable', status: 503, error: 'HTTP 503' }]);
    const bodies = [
      parse(record(1)),
      parse(record(2, `00-${TRACE}-00f067aa0ba902b7-01`)),
      parse(record(3, `00-${TRACE}-b7ad6b7169203331-01`)),
    ];
    await sender.send(bodies);
    await sender.send(bodies);
    const [first, second] = calls.map((c) => c.headers?.traceparent);
    expect(first).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`));
    expect(second).toBe(first);
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(2); // the untraced record has none
    const offset = (span: (typeof spans)[number]) => span.attributes['messaging.kafka.offset'] as number;
    const [carrier, linked] = [...spans].sort((a, b) => offset(a) - offset(b));
    expect(first).toBe(`00-${TRACE}-${carrier.spanContext().spanId}-01`);
    expect(carrier.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(linked.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(linked.links.map((l) => l.context.spanId)).toEqual([carrier.spanContext().spanId]); // once, not per attempt
    for (const span of spans) {
      expect(span.attributes).toMatchObject({ 'bridge.outcome': 'delivered', 'bridge.attempts': 2 });
      expect(span.events.map((e) => [e.name, e.attributes?.['http.response.status_code']])).toEqual([['retry', 503]]);
    }
  });

  it('ends the span of a record dead-lettered before any call once the DLQ has it', async () => {
    const { exporter, tracing, sender } = setup([]);
    const bad = { ...record(4, `00-${TRACE}-00f067aa0ba902b7-01`), value: Buffer.from('x'.repeat(30)) };
    expect(sender.parse(bad, true).ok).toBe(false);
    const written: unknown[] = [];
    const sink = tracing.deadLetters({ write: (letters) => Promise.resolve(void written.push(...letters)) });
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    await sink.write([{ record: bad, reason: 'invalid', error: 'too long', target: 'cloudinsight', attempts: 0 }]);
    const [span] = exporter.getFinishedSpans();
    expect(written).toHaveLength(1);
    expect(span.attributes).toMatchObject({
      'bridge.route': 'topic',
      'bridge.outcome': 'dead_lettered',
      'bridge.dlq.reason': 'invalid',
    });
    expect(span.status).toEqual({ code: 2, message: 'invalid: too long' });
  });

  it('starts no span for a malformed traceparent, and passes an unsampled context on without exporting a span', async () => {
    const { exporter, sender, calls, parse } = setup([]);
    await sender.send([parse(record(5, 'not-a-traceparent'))]);
    expect(calls[0].headers).toBeUndefined();
    await sender.send([parse(record(6, `00-${TRACE}-00f067aa0ba902b7-00`))]);
    expect(calls[1].headers?.traceparent).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-00$`));
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });
});

import { DLQ_HEADERS } from '@app/contracts';
import { EmulatorServer } from '../apps/emulator/src';
import { BridgeProcess, startBridge } from './support/bridge-process';
import { consume, produce } from './support/kafka';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver';
import { validRecord } from './support/records';
import { bridgeEnv, freshScenario, secretValues, startTestEmulator, waitFor } from './support/stack';

const traceparent = (traceId: string, parentId: string) => `00-${traceId}-${parentId}-01`;
const TRACES = {
  delivered: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentId: '00f067aa0ba902b7' },
  retried: { traceId: '0af7651916cd43dd8448eb211c80319c', parentId: 'b7ad6b7169203331' },
  deadLettered: { traceId: 'a3ce929d0e0e47364bf92f3577b34da6', parentId: '53995c3f42cd8ad8' },
};

/** A W3C trace context in a record's headers continues as its delivery span and goes out on the API call. */
describe('trace context across the hop (real broker, emulated APIs, an OTLP receiver)', () => {
  let emulator: { url: string; server: EmulatorServer };
  let receiver: OtlpReceiver;
  let bridge: BridgeProcess;
  let s: { topic: string; dlq: string; group: string };

  beforeAll(async () => {
    [emulator, receiver, s] = await Promise.all([startTestEmulator(), startOtlpReceiver(), freshScenario(2)]);
    bridge = await startBridge(
      bridgeEnv(emulator.url, s, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'bridge-under-test' }),
    );
    await bridge.waitReady();
  });

  afterAll(async () => {
    await bridge?.kill('SIGKILL');
    await emulator?.server.close();
    await receiver?.close();
  });

  it('exports a span per traced record, child of its traceparent, whose context the API request carries', async () => {
    const traced = (record: ReturnType<typeof validRecord>, t: { traceId: string; parentId: string }) => ({
      ...record,
      headers: { ...record.headers, traceparent: traceparent(t.traceId, t.parentId), tracestate: 'vendor=abc' },
    });
    emulator.server.setFault({ api: 'guance', status: 503, times: 1 });
    const invalid = { ...validRecord('datastream', 'trace-bad', 'k3', 0), value: '{"topic":"t"}' };
    await produce(s.topic, [
      traced(validRecord('guance', 'trace-retried', 'k2', 0), TRACES.retried),
      traced(validRecord('datastream', 'trace-ok', 'k1', 0), TRACES.delivered),
      traced(invalid, TRACES.deadLettered),
      validRecord('datastream', 'untraced', 'k4', 0),
    ]);
    const spanOf = (traceId: string) => receiver.spans.find((span) => span.traceId === traceId);
    await waitFor('three delivery spans at the receiver', () => Object.values(TRACES).every((t) => spanOf(t.traceId)));

    const ok = spanOf(TRACES.delivered.traceId)!;
    expect(ok).toMatchObject<Partial<ReceivedSpan>>({
      parentSpanId: TRACES.delivered.parentId,
      traceState: 'vendor=abc',
      name: 'deliver datastream',
      kind: 5, // CONSUMER
      status: { code: 0, message: '' },
      resource: expect.objectContaining({ 'service.name': 'bridge-under-test' }),
    });
    expect(ok.attributes).toEqual({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': s.topic,
      'messaging.destination.partition.id': expect.stringMatching(/^[01]$/),
      'messaging.kafka.offset': expect.any(Number),
      'messaging.consumer.group.name': `${s.group}-datastream`,
      'bridge.target': 'datastream',
      'bridge.route': 'header',
      'http.response.status_code': 200,
      'bridge.outcome': 'delivered',
      'bridge.attempts': 1,
    });
    const request = emulator.server
      .received('datastream', 0, 100)
      .entries.find((e) => (e.body as { key: string }).key === 'trace-ok');
    expect(request?.traceparent).toBe(`00-${TRACES.delivered.traceId}-${ok.spanId}-01`);
    expect(request?.tracestate).toBe('vendor=abc');

    const retried = spanOf(TRACES.retried.traceId)!;
    expect(retried.parentSpanId).toBe(TRACES.retried.parentId);
    expect(retried.events).toEqual([
      {
        name: 'retry',
        attributes: {
          'http.response.status_code': 503,
          'bridge.answer': 'retryable',
          'bridge.error': expect.any(String),
        },
      },
    ]);
    expect(retried.attributes).toMatchObject({ 'bridge.outcome': 'delivered', 'bridge.attempts': 2 });
    const guanceEvent = emulator.server.received('guance', 0, 100).entries[0];
    expect(guanceEvent.traceparent).toBe(`00-${TRACES.retried.traceId}-${retried.spanId}-01`);

    const bad = spanOf(TRACES.deadLettered.traceId)!;
    expect(bad.attributes).toMatchObject({ 'bridge.outcome': 'dead_lettered', 'bridge.dlq.reason': 'invalid' });
    expect(bad.status).toEqual({ code: 2, message: expect.stringMatching(/^invalid: key is required/) });
    const [letter] = await consume(s.dlq, 1);
    expect(letter.headers?.traceparent?.toString()).toBe(
      traceparent(TRACES.deadLettered.traceId, TRACES.deadLettered.parentId),
    );
    expect(letter.headers?.[DLQ_HEADERS.reason]?.toString()).toBe('invalid');

    // The untraced record was delivered without a span or a traceparent of its own.
    await waitFor('the untraced record', () =>
      emulator.server
        .received('datastream', 0, 100)
        .entries.some((e) => (e.body as { key: string }).key === 'untraced'),
    );
    const untraced = emulator.server
      .received('datastream', 0, 100)
      .entries.find((e) => (e.body as { key: string }).key === 'untraced');
    expect(untraced?.traceparent).toBeUndefined();
    await bridge.kill('SIGTERM'); // a clean stop exports what is left
    expect(receiver.spans).toHaveLength(3);
    const exported = Buffer.concat(receiver.bodies).toString('latin1');
    for (const secret of secretValues()) expect(exported).not.toContain(secret);
  });
});

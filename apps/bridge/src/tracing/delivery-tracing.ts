import {
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Span,
  type TextMapPropagator,
  type Tracer,
} from '@opentelemetry/api';
import type { InboundRecord, ParseResult, SendResult } from '@app/contracts';
import type { DeadLetter, DeadLetterSink, TargetSender } from '@app/delivery';
import type { DeliveryCall } from '../targets/target-binding';
import { startRecordSpan, type Delivery } from './record-span';

/** The delivery of one traced record: its span, and how many API calls carried it. */
interface RecordTrace {
  span: Span;
  attempts: number;
  /** The span whose context the last call carried, when it was another record's (a coalesced call). */
  carriedBy?: string;
}

/**
 * Delivery spans (docs/operations.md, "Traces"). A record whose headers hold a W3C `traceparent`
 * gets a span `deliver <target>`, child of that context, from the moment its group takes it to
 * its outcome: delivered (the API answered 2xx) or dead-lettered (the DLQ acknowledged it). Each
 * failed API call is an event on it; each call sends its context as `traceparent` (and
 * `tracestate`). A call carrying several traced records (Cloud Insight) sends the first one's
 * context; the others link to it. Records without a trace context get no span. Built only when
 * tracing is configured: off, none of this runs.
 */
export class DeliveryTracing {
  private readonly byRecord = new WeakMap<InboundRecord, RecordTrace>();
  private readonly byBody = new WeakMap<object, RecordTrace>();

  constructor(
    private readonly tracer: Tracer,
    private readonly propagator: TextMapPropagator,
    private readonly flush: () => Promise<void>,
  ) {}

  /** `sender` with spans: its parse starts them, its calls carry their context through `deliver`. */
  traced<B>(
    sender: TargetSender<B>,
    groupId: string,
    deliver: (call: DeliveryCall<B>) => Promise<SendResult>,
  ): TargetSender<B> {
    return {
      target: sender.target,
      coalesce: sender.coalesce,
      parse: (record, byTopic) => {
        const parsed = sender.parse(record, byTopic);
        this.begin(record, parsed, { target: sender.target, group: groupId, byTopic });
        return parsed;
      },
      send: (bodies, signal) => this.send(bodies, signal, deliver),
    };
  }

  /** `sink` that ends the spans of the records it dead-letters once the DLQ acknowledged them. */
  deadLetters(sink: DeadLetterSink): DeadLetterSink {
    return {
      write: async (letters) => {
        await sink.write(letters);
        for (const letter of letters) this.deadLettered(letter);
      },
    };
  }

  /** Exports the spans ended so far and stops (shutdown, after the consumers drained). */
  shutdown(): Promise<void> {
    return this.flush();
  }

  private begin(record: InboundRecord, parsed: ParseResult<unknown>, delivery: Delivery): void {
    const span = startRecordSpan(this.tracer, this.propagator, record, delivery);
    if (span === undefined) return;
    const traced: RecordTrace = { span, attempts: 0 };
    this.byRecord.set(record, traced);
    if (parsed.ok && typeof parsed.body === 'object' && parsed.body !== null) this.byBody.set(parsed.body, traced);
  }

  private send<B>(
    bodies: B[],
    signal: AbortSignal | undefined,
    deliver: (call: DeliveryCall<B>) => Promise<SendResult>,
  ): Promise<SendResult> {
    let traced: RecordTrace[] | undefined;
    for (const body of bodies) {
      const t = this.byBody.get(body as object);
      if (t !== undefined) (traced ??= []).push(t);
    }
    return traced === undefined ? deliver({ bodies, signal }) : this.sendTraced(traced, bodies, signal, deliver);
  }

  private async sendTraced<B>(
    traced: RecordTrace[],
    bodies: B[],
    signal: AbortSignal | undefined,
    deliver: (call: DeliveryCall<B>) => Promise<SendResult>,
  ): Promise<SendResult> {
    const carrier = traced[0].span;
    const headers: Record<string, string> = {};
    this.propagator.inject(trace.setSpan(ROOT_CONTEXT, carrier), headers, {
      set: (carried, key, value) => (carried[key] = value),
    });
    for (const t of traced) this.carried(t, carrier);
    let result: SendResult;
    try {
      result = await deliver({ bodies, signal, headers });
    } catch (error) {
      for (const t of traced) t.span.addEvent('retry', { 'bridge.error': `sender failed: ${String(error)}` });
      throw error;
    }
    for (const t of traced) this.answered(t, result);
    return result;
  }

  private carried(t: RecordTrace, carrier: Span): void {
    t.attempts++;
    const { spanId } = carrier.spanContext();
    if (t.span === carrier || t.carriedBy === spanId) return;
    t.carriedBy = spanId;
    t.span.addLink({ context: carrier.spanContext(), attributes: { 'bridge.link': 'carried the API call' } });
  }

  private answered({ span, attempts }: RecordTrace, result: SendResult): void {
    const status = result.status === undefined ? {} : { 'http.response.status_code': result.status };
    if (result.outcome === 'delivered') {
      span.setAttributes({ ...status, 'bridge.outcome': 'delivered', 'bridge.attempts': attempts });
      span.end();
      return;
    }
    const event = result.outcome === 'permanent' ? 'rejected' : 'retry';
    span.addEvent(event, { ...status, 'bridge.answer': result.outcome, 'bridge.error': result.error });
  }

  private deadLettered(letter: DeadLetter): void {
    const t = this.byRecord.get(letter.record);
    if (t === undefined) return;
    this.byRecord.delete(letter.record);
    const status = letter.httpStatus === undefined ? {} : { 'http.response.status_code': letter.httpStatus };
    t.span.setAttributes({
      ...status,
      'bridge.outcome': 'dead_lettered',
      'bridge.dlq.reason': letter.reason,
      'bridge.attempts': letter.attempts,
    });
    t.span.setStatus({ code: SpanStatusCode.ERROR, message: `${letter.reason}: ${letter.error}` });
    t.span.end();
  }
}

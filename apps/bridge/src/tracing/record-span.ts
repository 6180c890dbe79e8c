import {
  ROOT_CONTEXT,
  SpanKind,
  trace,
  type Span,
  type TextMapGetter,
  type TextMapPropagator,
  type Tracer,
} from '@opentelemetry/api';
import type { InboundRecord, RecordHeaders } from '@app/contracts';

/** The first value of a record header as text (W3C trace context names are lower case). */
const RECORD_HEADERS: TextMapGetter<RecordHeaders> = {
  keys: (headers) => headers.map((h) => h.key),
  get: (headers, key) => headers.find((h) => h.key === key)?.value?.toString('utf8'),
};

/** Where a record is delivered: its target, the target's consumer group, and how it was routed. */
export interface Delivery {
  target: string;
  group: string;
  byTopic: boolean;
}

/**
 * The span of a record's delivery, child of the W3C trace context in its headers; undefined for a
 * record without a valid `traceparent` (most records: one look at the header names).
 */
export function startRecordSpan(
  tracer: Tracer,
  propagator: TextMapPropagator,
  record: InboundRecord,
  { target, group, byTopic }: Delivery,
): Span | undefined {
  if (!record.headers.some((h) => h.key === 'traceparent')) return undefined;
  const parent = propagator.extract(ROOT_CONTEXT, record.headers, RECORD_HEADERS);
  if (trace.getSpanContext(parent) === undefined) return undefined;
  return tracer.startSpan(
    `deliver ${target}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': record.topic,
        'messaging.destination.partition.id': String(record.partition),
        'messaging.kafka.offset': Number(record.offset),
        'messaging.consumer.group.name': group,
        'bridge.target': target,
        'bridge.route': byTopic ? 'topic' : 'header',
      },
    },
    parent,
  );
}

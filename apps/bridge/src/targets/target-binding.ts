import type { BridgeConfig } from '@app/config';
import {
  parseRecordValue,
  routedRecordBody,
  type InboundRecord,
  type ParseResult,
  type RecordBody,
  type Target,
} from '@app/contracts';
import type { Coalescing } from '@app/delivery';

/**
 * What a target's `@EventPattern` handler receives: the bodies of one API call, an abort signal,
 * and headers the request carries besides the API's own (the trace context, when traced).
 */
export interface DeliveryCall<B> {
  bodies: B[];
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/**
 * How the transport reads a target's records before its handler sees them: parse (decode and
 * validate; a failure is dead-lettered without a call; `byTopic`: the record came without the
 * route header, by its topic's route) and, optionally, which bodies may share one call.
 */
export interface RecordBinding<B> {
  parse(record: InboundRecord, byTopic: boolean): ParseResult<B>;
  coalesce?: Coalescing<B>;
}

export type RecordBindingFactory<B> = (config: BridgeConfig) => RecordBinding<B>;

const RECORDS = 'bridgeRecords';

/**
 * Extras for `@EventPattern(target, bindRecords(factory))`: the handler of a target names how
 * its records are read, so a target is one handler and one binding, side by side.
 */
export function bindRecords<B>(factory: RecordBindingFactory<B>): Record<string, unknown> {
  return { [RECORDS]: factory };
}

/** The binding a handler was registered with (see bindRecords), if any. */
export function recordBindingOf(
  extras: Record<string, unknown> | undefined,
): RecordBindingFactory<unknown> | undefined {
  const factory = extras?.[RECORDS];
  return typeof factory === 'function' ? (factory as RecordBindingFactory<unknown>) : undefined;
}

/**
 * A record's API body: its value, or, for a record routed by its topic (BRIDGE_ROUTES), the body
 * the topic's route builds from it.
 */
export function recordBody<T extends Target>(
  target: T,
  config: BridgeConfig,
  record: InboundRecord,
  byTopic: boolean,
): ParseResult<RecordBody<T>> {
  if (!byTopic) return parseRecordValue(target, record.value);
  return routedRecordBody(config.routes.get(record.topic)!, record) as ParseResult<RecordBody<T>>;
}

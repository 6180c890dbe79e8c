import type { BridgeConfig } from '@app/config';
import type { InboundRecord, ParseResult } from '@app/contracts';
import type { Coalescing } from '@app/delivery';

/** What a target's `@EventPattern` handler receives: the bodies of one API call, and an abort signal. */
export interface DeliveryCall<B> {
  bodies: B[];
  signal?: AbortSignal;
}

/**
 * How the transport reads a target's records before its handler sees them: parse (decode and
 * validate; a failure is dead-lettered without a call) and, optionally, which bodies may share
 * one call.
 */
export interface RecordBinding<B> {
  parse(record: InboundRecord): ParseResult<B>;
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

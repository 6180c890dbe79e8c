import type { BridgeConfig } from '@app/config';
import { GUANCE_MONITOR_HEADER, headerText, ParseResult, SendResult, Target, parseRecordValue } from '@app/contracts';
import type { CloudInsightRecordDto, GuanceRecordDto } from '@app/contracts';
import type { TargetSender } from '@app/delivery';

/** What a DeliveryController handler receives: the bodies of one API call, and an abort signal. */
export interface DeliveryCall<B> {
  bodies: B[];
  signal?: AbortSignal;
}

/** A Guance body with the monitor its record asked for (x-guance-monitor), or the default one. */
export interface GuanceDelivery {
  body: GuanceRecordDto;
  monitor?: string;
}

type Send = (call: DeliveryCall<unknown>) => Promise<SendResult>;

const CLOUD_INSIGHT_COALESCE = { maxRecords: 100, maxBytes: 256 * 1024, lingerMs: 5 };

/** Builds the TargetSender of one target: parse with the record DTOs, send through the handler. */
export function createSender(target: Target, send: Send, config: BridgeConfig): TargetSender<unknown> {
  const base = {
    target,
    send: (bodies: unknown[], signal?: AbortSignal) => send({ bodies, signal }),
  };
  switch (target) {
    case 'datastream':
      return { ...base, parse: (r) => parseRecordValue('datastream', r.value) };
    case 'cloudinsight':
      return {
        ...base,
        parse: (r) => parseRecordValue('cloudinsight', r.value),
        coalesceKey: (b) => (b as CloudInsightRecordDto).cw_key,
        coalesce: CLOUD_INSIGHT_COALESCE,
        sizeOf: (b) => JSON.stringify((b as CloudInsightRecordDto).data).length,
      };
    case 'guance': {
      const monitors = config.guance?.monitors ?? {};
      return {
        ...base,
        parse: (r): ParseResult<GuanceDelivery> => {
          const monitor = headerText(r.headers, GUANCE_MONITOR_HEADER);
          if (monitor !== undefined && !Object.prototype.hasOwnProperty.call(monitors, monitor)) {
            return {
              ok: false,
              reason: 'invalid',
              error: `${GUANCE_MONITOR_HEADER} names a monitor that GUANCE_MONITORS does not define: "${monitor.slice(0, 100)}"`,
            };
          }
          const parsed = parseRecordValue('guance', r.value);
          return parsed.ok ? { ok: true, body: { body: parsed.body, monitor } } : parsed;
        },
      };
    }
  }
}

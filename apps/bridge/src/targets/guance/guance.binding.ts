import type { BridgeConfig } from '@app/config';
import { GUANCE_MONITOR_HEADER, headerText, parseRecordValue, type GuanceRecordDto } from '@app/contracts';
import type { GuanceMonitor } from '@app/guance';
import type { RecordBindingFactory } from '../target-binding';

/** A Guance body with the monitor it goes to (its secret and subUri are in the request path). */
export interface GuanceDelivery {
  body: GuanceRecordDto;
  monitor: GuanceMonitor;
}

/**
 * A record's value is a push-events body; the monitor is the default one (GUANCE_SECRET,
 * GUANCE_SUB_URI) or the one its `x-guance-monitor` header names in GUANCE_MONITORS. A name that
 * is not configured makes the record invalid: it would otherwise go to a monitor nobody watches.
 */
export const guanceRecords: RecordBindingFactory<GuanceDelivery> = (config: BridgeConfig) => {
  const { defaultMonitor, monitors } = config.guance!;
  return {
    parse: (record) => {
      const name = headerText(record.headers, GUANCE_MONITOR_HEADER);
      const monitor = name === undefined ? defaultMonitor : monitors[name];
      if (monitor === undefined) {
        const shown = JSON.stringify(name!.slice(0, 100));
        return {
          ok: false,
          reason: 'invalid',
          error: `${GUANCE_MONITOR_HEADER} names a monitor that GUANCE_MONITORS does not define: ${shown}`,
        };
      }
      const parsed = parseRecordValue('guance', record.value);
      return parsed.ok ? { ok: true, body: { body: parsed.body, monitor } } : parsed;
    },
  };
};

import type { BridgeConfig } from '@app/config';
import { GUANCE_MONITOR_HEADER, headerText, type GuanceRecordDto } from '@app/contracts';
import type { GuanceMonitor } from '@app/guance';
import { recordBody, type RecordBindingFactory } from '../target-binding';

/** A Guance body with the monitor it goes to (its secret and subUri are in the request path). */
export interface GuanceDelivery {
  body: GuanceRecordDto;
  monitor: GuanceMonitor;
}

/**
 * A record's value is a push-events body (or its topic's route makes one, with the value as the
 * event); the monitor is the default one (GUANCE_SECRET, GUANCE_SUB_URI) or the one its
 * `x-guance-monitor` header (or its topic's route) names in GUANCE_MONITORS. A name that is not
 * configured makes the record invalid: it would otherwise go to a monitor nobody watches.
 */
export const guanceRecords: RecordBindingFactory<GuanceDelivery> = (config: BridgeConfig) => {
  const { defaultMonitor, monitors } = config.guance!;
  return {
    parse: (record, byTopic) => {
      const name = byTopic ? routeMonitor(config, record.topic) : headerText(record.headers, GUANCE_MONITOR_HEADER);
      const monitor = name === undefined ? defaultMonitor : monitors[name];
      if (monitor === undefined) {
        const shown = JSON.stringify(name!.slice(0, 100));
        return {
          ok: false,
          reason: 'invalid',
          error: `${GUANCE_MONITOR_HEADER} names a monitor that GUANCE_MONITORS does not define: ${shown}`,
        };
      }
      const parsed = recordBody('guance', config, record, byTopic);
      return parsed.ok ? { ok: true, body: { body: parsed.body, monitor } } : parsed;
    },
  };
};

/** The monitor a topic's route names (checked at start to be in GUANCE_MONITORS), if any. */
function routeMonitor(config: BridgeConfig, topic: string): string | undefined {
  const route = config.routes.get(topic);
  return route?.target === 'guance' ? route.monitor : undefined;
}

import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of SPEC section 6. Labels never carry secrets (no URLs, no monitor names). */
@Injectable()
export class BridgeMetrics {
  readonly registry = new Registry();

  readonly records = new Counter({
    name: 'bridge_records_total',
    help: 'Records by target and outcome (delivered, dead_lettered, retried).',
    labelNames: ['target', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly deadLetters = new Counter({
    name: 'bridge_dead_letters_total',
    help: 'Dead-lettered records by target and reason.',
    labelNames: ['target', 'reason'] as const,
    registers: [this.registry],
  });

  readonly requestDuration = new Histogram({
    name: 'bridge_request_duration_seconds',
    help: 'API call duration by target and HTTP status ("error" for network errors and timeouts).',
    labelNames: ['target', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly inFlight = new Gauge({
    name: 'bridge_in_flight_requests',
    help: 'API calls under way per target.',
    labelNames: ['target'] as const,
    registers: [this.registry],
  });

  readonly paused = new Gauge({
    name: 'bridge_target_paused',
    help: '1 while consumption for a target is paused because its API keeps failing.',
    labelNames: ['target'] as const,
    registers: [this.registry],
  });

  readonly lag = new Gauge({
    name: 'bridge_consumer_lag',
    help: 'Records not yet committed by the group: high watermark minus committed offset.',
    labelNames: ['group', 'topic', 'partition'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'bridge_' });
  }
}

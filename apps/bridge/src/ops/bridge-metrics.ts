import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics (docs/operations.md). Labels never carry secrets (no URLs, no monitor names). */
@Injectable()
export class BridgeMetrics {
  readonly registry = new Registry();
  private readonly r = [this.registry];

  readonly records = new Counter({
    name: 'bridge_records_total',
    help: 'Records by target and outcome (delivered, dead_lettered); target "" for unroutable ones.',
    labelNames: ['target', 'outcome'] as const,
    registers: this.r,
  });

  readonly deadLetters = new Counter({
    name: 'bridge_dead_letters_total',
    help: 'Dead-lettered records by target and reason; target "" for unroutable ones.',
    labelNames: ['target', 'reason'] as const,
    registers: this.r,
  });

  readonly elsewhere = new Counter({
    name: 'bridge_records_elsewhere_total',
    help: 'Records for a target this process does not deliver (another deployment does).',
    labelNames: ['target'] as const,
    registers: this.r,
  });

  readonly retries = new Counter({
    name: 'bridge_call_retries_total',
    help: 'API calls that failed for a reason that says nothing about their records, and go again.',
    labelNames: ['target'] as const,
    registers: this.r,
  });

  readonly requestDuration = new Histogram({
    name: 'bridge_request_duration_seconds',
    help: 'API call duration by target and HTTP status ("error" for network errors and timeouts).',
    labelNames: ['target', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: this.r,
  });

  readonly inFlight = new Gauge({
    name: 'bridge_in_flight_requests',
    help: 'API calls under way per target.',
    labelNames: ['target'] as const,
    registers: this.r,
  });

  readonly concurrencyLimit = new Gauge({
    name: 'bridge_concurrency_limit',
    help: 'API calls a target may have under way now.',
    labelNames: ['target'] as const,
    registers: this.r,
  });

  readonly paused = new Gauge({
    name: 'bridge_target_paused',
    help: '1 while consumption for a target is paused: its API keeps failing or refuses our credentials.',
    labelNames: ['target'] as const,
    registers: this.r,
  });

  readonly refused = new Gauge({
    name: 'bridge_target_credentials_refused',
    help: '1 while the API of a target refuses our credentials.',
    labelNames: ['target'] as const,
    registers: this.r,
  });

  readonly probeFailures = new Counter({
    name: 'bridge_probe_failures_total',
    help: 'Calls that failed while the target was paused (probes).',
    labelNames: ['target'] as const,
    registers: this.r,
  });

  readonly lag = new Gauge({
    name: 'bridge_consumer_lag',
    help: 'Records not yet committed, for the partitions this instance owns: high watermark minus committed offset.',
    labelNames: ['group', 'topic', 'partition'] as const,
    registers: this.r,
  });

  readonly partitionStall = new Gauge({
    name: 'bridge_partition_stall_seconds',
    help: 'Seconds since the commit position of an owned partition holding records last moved (0: none pending).',
    labelNames: ['target', 'topic', 'partition'] as const,
    registers: this.r,
  });

  readonly stalledPartitions = new Gauge({
    name: 'bridge_stalled_partitions',
    help: 'Partitions whose commit position has not moved for longer than BRIDGE_STALL_THRESHOLD_MS.',
    labelNames: ['target'] as const,
    registers: this.r,
  });

  readonly deadLetterWriteFailures = new Counter({
    name: 'bridge_dead_letter_write_failures_total',
    help: 'Failed writes to the dead-letter topic (retried until they succeed).',
    labelNames: ['target'] as const,
    registers: this.r,
  });

  readonly consumerRestarts = new Counter({
    name: 'bridge_consumer_restarts_total',
    help: 'Times a target consumer crashed and was restarted.',
    labelNames: ['target'] as const,
    registers: this.r,
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}

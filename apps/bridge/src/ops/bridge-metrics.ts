import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DLQ_REASONS, type Target } from '@app/contracts';

const BY_TARGET = ['target'] as const;

/**
 * The bridge's Prometheus metrics, described for operators in docs/operations.md. Labels never carry
 * secrets (no URLs, no monitor names, no keys). `target` is "" where a record belongs to no target
 * (unroutable dead letters).
 */
@Injectable()
export class BridgeMetrics {
  readonly registry = new Registry();

  // What became of the records
  readonly records = this.counter(
    'bridge_records_total',
    'Records by target and outcome: delivered or dead_lettered (target "" for unroutable ones).',
    ['target', 'outcome'],
  );
  readonly deadLetters = this.counter(
    'bridge_dead_letters_total',
    'Dead-lettered records by target and reason (target "" for reason unroutable).',
    ['target', 'reason'],
  );
  readonly elsewhere = this.counter(
    'bridge_records_elsewhere_total',
    'Records routed to a known target that this process does not deliver (another deployment does).',
  );
  readonly deadLetterWriteFailures = this.counter(
    'bridge_dead_letter_write_failures_total',
    'Dead-letter writes that failed (the record stays uncommitted and the write is tried again).',
  );

  // The API calls
  readonly retries = this.counter('bridge_call_retries_total', 'API calls that failed transiently and are made again.');
  readonly requestDuration = new Histogram({
    name: 'bridge_request_duration_seconds',
    help: 'API call duration by target and HTTP status ("error" for network errors and timeouts).',
    labelNames: ['target', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  /** Per target, how many API calls are under way: read when Prometheus scrapes, not set on every call. */
  private readonly inFlightReaders = new Map<Target, () => number>();
  readonly inFlight = new Gauge({
    name: 'bridge_in_flight_requests',
    help: 'API calls under way per target.',
    labelNames: BY_TARGET,
    registers: [this.registry],
    collect: () => {
      for (const [target, read] of this.inFlightReaders) this.inFlight.set({ target }, read());
    },
  });
  readonly concurrencyLimit = this.gauge('bridge_concurrency_limit', 'API calls per target allowed in flight now.');

  // The state of each target
  readonly paused = this.gauge(
    'bridge_target_paused',
    "1 while a target's consumption is paused because its API fails or refuses our credentials.",
  );
  readonly refused = this.gauge('bridge_target_credentials_refused', "1 while a target's API refuses our credentials.");
  readonly probeFailures = this.counter('bridge_probe_failures_total', 'Probes of a paused target that failed.');
  readonly consumerRestarts = this.counter(
    'bridge_consumer_restarts_total',
    "Restarts of a target's Kafka consumer after it crashed.",
  );

  // Kafka positions
  readonly lag = this.gauge(
    'bridge_consumer_lag',
    'Records not yet committed in a partition this instance owns: high watermark minus committed offset.',
    ['group', 'topic', 'partition'],
  );
  readonly partitionStall = this.gauge(
    'bridge_partition_stall_seconds',
    'Seconds since the commit position of an owned partition holding records last moved (0: none pending).',
    ['target', 'topic', 'partition'],
  );
  readonly stalledPartitions = this.gauge(
    'bridge_stalled_partitions',
    'Owned partitions whose commit position has not moved for longer than the stall threshold.',
  );

  constructor() {
    // process_* and nodejs_* under their standard names, as the usual Node.js dashboards expect.
    collectDefaultMetrics({ register: this.registry });
  }

  /**
   * Every series of a target at 0, so that a counter's first event shows in rate() and increase() (a
   * series that appears at 1 does not) and dashboards show 0 rather than no data. With `unroutable`,
   * also the series of the unroutable records this process dead-letters.
   */
  startTarget(target: Target, unroutable = false): void {
    for (const gauge of [this.inFlight, this.paused, this.refused, this.stalledPartitions]) gauge.set({ target }, 0);
    const counters = [this.retries, this.probeFailures, this.consumerRestarts, this.deadLetterWriteFailures];
    for (const counter of counters) counter.inc({ target }, 0);
    for (const outcome of ['delivered', 'dead_lettered']) this.records.inc({ target, outcome }, 0);
    for (const reason of DLQ_REASONS) if (reason !== 'unroutable') this.deadLetters.inc({ target, reason }, 0);
    if (unroutable) {
      this.records.inc({ target: '', outcome: 'dead_lettered' }, 0);
      this.deadLetters.inc({ target: '', reason: 'unroutable' }, 0);
    }
  }

  /** The calls under way of a target, as bridge_in_flight_requests reports them. */
  watchInFlight(target: Target, read: () => number): void {
    this.inFlightReaders.set(target, read);
  }

  /** A counter by target, or by the labels given. */
  private counter(name: string, help: string): Counter<'target'>;
  private counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L>;
  private counter(name: string, help: string, labelNames: readonly string[] = BY_TARGET): Counter<string> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  /** A gauge by target, or by the labels given. */
  private gauge(name: string, help: string): Gauge<'target'>;
  private gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L>;
  private gauge(name: string, help: string, labelNames: readonly string[] = BY_TARGET): Gauge<string> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
}

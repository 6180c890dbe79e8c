import { BridgeMetrics } from './bridge-metrics';

const seriesOf = (text: string, name: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .sort();

describe('BridgeMetrics', () => {
  it("exposes Node's process metrics under their standard names, as the usual dashboards query them", async () => {
    const text = await new BridgeMetrics().registry.metrics();
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes']) {
      expect(text).toMatch(new RegExp(`^${name} `, 'm'));
    }
    expect(text).not.toMatch(/^bridge_(process|nodejs)_/m);
  });

  it("exposes a started target's series at 0 before anything happens", async () => {
    const metrics = new BridgeMetrics();
    metrics.startTarget('guance');
    const text = await metrics.registry.metrics();
    expect(seriesOf(text, 'bridge_records_total')).toEqual([
      'bridge_records_total{target="guance",outcome="dead_lettered"} 0',
      'bridge_records_total{target="guance",outcome="delivered"} 0',
    ]);
    expect(seriesOf(text, 'bridge_dead_letters_total')).toEqual(
      ['exhausted', 'invalid', 'malformed', 'rejected'].map(
        (reason) => `bridge_dead_letters_total{target="guance",reason="${reason}"} 0`,
      ),
    );
    for (const name of [
      'bridge_call_retries_total',
      'bridge_probe_failures_total',
      'bridge_consumer_restarts_total',
      'bridge_dead_letter_write_failures_total',
      'bridge_target_paused',
      'bridge_target_credentials_refused',
      'bridge_stalled_partitions',
      'bridge_in_flight_requests',
    ]) {
      expect(seriesOf(text, name)).toEqual([`${name}{target="guance"} 0`]);
    }
  });

  it('reads the calls in flight of each target when scraped', async () => {
    const metrics = new BridgeMetrics();
    metrics.startTarget('datastream');
    let inFlight = 3;
    metrics.watchInFlight('datastream', () => inFlight);
    expect(seriesOf(await metrics.registry.metrics(), 'bridge_in_flight_requests')).toEqual([
      'bridge_in_flight_requests{target="datastream"} 3',
    ]);
    inFlight = 0;
    expect(seriesOf(await metrics.registry.metrics(), 'bridge_in_flight_requests')).toEqual([
      'bridge_in_flight_requests{target="datastream"} 0',
    ]);
  });

  it('labels unroutable dead letters with no target, only in the process that dead-letters them', async () => {
    const metrics = new BridgeMetrics();
    metrics.startTarget('datastream', true);
    metrics.startTarget('guance');
    const text = await metrics.registry.metrics();
    expect(seriesOf(text, 'bridge_dead_letters_total').filter((s) => s.includes('unroutable'))).toEqual([
      'bridge_dead_letters_total{target="",reason="unroutable"} 0',
    ]);
  });
});

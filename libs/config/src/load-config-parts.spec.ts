import { BRIDGE_ENV_VARIABLES } from './env-variables';
import { loadBridgeConfig } from './load-bridge-config';
import { ConfigPart, loadConfigParts } from './load-config-parts';
import { ConfigError } from './validate-env';

const bridgeNeeds = { BRIDGE_TOPICS: 'orders', BRIDGE_TARGETS: 'datastream', NCP_ACCESS_KEY: 'a', NCP_SECRET_KEY: 's' };

function errorOf(load: () => unknown): string {
  try {
    load();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfigParts', () => {
  it('builds the parts asked for, with the bridge defaults, and nothing else', () => {
    expect(loadConfigParts({}, ['kafka', 'dlqTopic', 'routeHeader', 'topics', 'cloudinsightEndpoint'])).toEqual({
      kafka: { brokers: ['localhost:9092'], clientId: 'kafka-ncp-bridge', ssl: false, metadataMaxAgeMs: 30_000 },
      dlqTopic: 'bridge.dlq',
      routeHeader: 'x-bridge-target',
      topics: [],
      cloudinsightEndpoint: 'https://cw.apigw.ntruss.com',
    });
  });

  it('builds each part as the bridge does from the same environment', () => {
    const env = {
      ...bridgeNeeds,
      KAFKA_BROKERS: 'k1:9092, k2:9093',
      KAFKA_CLIENT_ID: 'id',
      KAFKA_SSL: 'TRUE',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'p',
      BRIDGE_TOPICS: 'a,b,a',
      BRIDGE_DLQ_TOPIC: 'dead',
      BRIDGE_ROUTE_HEADER: 'x-route',
      CLOUDINSIGHT_ENDPOINT: 'http://127.0.0.1:8080/',
      CLOUDINSIGHT_REGION_NO: '7',
    };
    const bridge = loadBridgeConfig(env);
    const parts = [
      'kafka',
      'topics',
      'dlqTopic',
      'routeHeader',
      'ncp',
      'cloudinsightEndpoint',
      'cloudinsightRegionNo',
    ] as const satisfies readonly ConfigPart[];
    expect(loadConfigParts(env, parts)).toEqual(Object.fromEntries(parts.map((p) => [p, bridge[p]])));
  });

  it('reports the errors of every KAFKA_* variable exactly as the bridge does, and of no other', () => {
    const bad = Object.fromEntries(
      BRIDGE_ENV_VARIABLES.filter((n) => n.startsWith('KAFKA_')).map((n) => [n, 'not valid for any rule \n']),
    );
    const env = { ...bad, HTTP_PORT: 'x', BRIDGE_TOPICS: '' };
    const kafkaErrors = errorOf(() => loadBridgeConfig(env))
      .split('; ')
      .filter((m) => m.startsWith('KAFKA_'));
    expect(kafkaErrors.length).toBeGreaterThan(1);
    expect(errorOf(() => loadConfigParts(env, ['kafka']))).toBe(kafkaErrors.join('; '));
  });

  it('applies rules between variables, such as the SASL username with the mechanism', () => {
    expect(errorOf(() => loadConfigParts({ KAFKA_SASL_MECHANISM: 'plain' }, ['kafka']))).toBe(
      'KAFKA_SASL_USERNAME is required when KAFKA_SASL_MECHANISM is set; ' +
        'KAFKA_SASL_PASSWORD is required when KAFKA_SASL_MECHANISM is set',
    );
  });

  it('leaves what the bridge requires to the bridge and requires what the part needs', () => {
    // BRIDGE_TOPICS is required by the bridge, optional here; NCP keys are required here whatever the targets.
    expect(loadConfigParts({ BRIDGE_TARGETS: 'guance' }, ['topics']).topics).toEqual([]);
    expect(errorOf(() => loadConfigParts({ BRIDGE_TARGETS: 'guance', NCP_SECRET_KEY: 'Sup3r' }, ['ncp']))).toBe(
      'NCP_ACCESS_KEY is required',
    );
    expect(errorOf(() => loadConfigParts({}, ['ncp'], { requiredWhy: 'for provisioning' }))).toBe(
      'NCP_ACCESS_KEY is required for provisioning; NCP_SECRET_KEY is required for provisioning',
    );
    expect(errorOf(() => loadConfigParts({ BRIDGE_TOPICS: 'a b' }, ['topics']))).toBe(
      'BRIDGE_TOPICS must be a comma-separated list of Kafka topic names (got "a b")',
    );
  });

  it('takes defaults of its own where given', () => {
    const { kafka } = loadConfigParts({}, ['kafka'], { defaults: { KAFKA_CLIENT_ID: 'the-cli' } });
    expect(kafka.clientId).toBe('the-cli');
    expect(
      loadConfigParts({ KAFKA_CLIENT_ID: 'set' }, ['kafka'], { defaults: { KAFKA_CLIENT_ID: 'x' } }).kafka.clientId,
    ).toBe('set');
  });
});

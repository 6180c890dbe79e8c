import { BRIDGE_ENV_VARIABLES, ENV_DEFAULTS, SECRET_ENV_VARIABLES } from './env-variables';
import { loadBridgeConfig } from './load-bridge-config';
import { configErrorOf } from './load-config.fixtures';

const valid = {
  BRIDGE_TOPICS: 'orders,metrics',
  NCP_ACCESS_KEY: 'AKIDEXAMPLE0000000000',
  NCP_SECRET_KEY: 'ncp-secret-value',
  GUANCE_API_KEY: 'guance-api-key-value',
  GUANCE_SECRET: 'guance-secret-value',
  GUANCE_SUB_URI: 'sub-uri',
};

const errorOf = configErrorOf;

describe('loadBridgeConfig: defaults (docs/configuration.md)', () => {
  it('fills every default', () => {
    expect(loadBridgeConfig(valid)).toEqual({
      kafka: { brokers: ['localhost:9092'], clientId: 'kafka-ncp-bridge', ssl: false, metadataMaxAgeMs: 30000 },
      topics: ['orders', 'metrics'],
      groupId: 'kafka-ncp-bridge',
      targets: ['datastream', 'cloudinsight', 'guance'],
      routeHeader: 'x-bridge-target',
      routes: new Map(),
      unroutableTarget: 'datastream',
      startFrom: 'earliest',
      dlqTopic: 'bridge.dlq',
      maxInFlight: 256,
      adaptiveConcurrency: true,
      httpTimeoutMs: 10000,
      retryDeadlineMs: 900000,
      shutdownTimeoutMs: 25000,
      maxBufferedBytes: 4 * 1024 * 1024,
      fetchMaxWaitMs: 10,
      maxRecordBytes: { datastream: 2 * 1024 * 1024, cloudinsight: 256 * 1024, guance: 1024 * 1024 },
      stallThresholdMs: 120_000,
      ncp: { accessKey: 'AKIDEXAMPLE0000000000', secretKey: 'ncp-secret-value' },
      datastreamEndpoint: 'https://api.datastream.naverncp.com',
      cloudinsightEndpoint: 'https://cw.apigw.ntruss.com',
      guance: {
        endpoint: 'https://openapi.guance.com',
        apiKey: 'guance-api-key-value',
        defaultMonitor: { secret: 'guance-secret-value', subUri: 'sub-uri' },
        monitors: {},
      },
      httpPort: 3000,
      logLevel: 'info',
      egress: {},
    });
  });

  it('treats empty and blank values as unset', () => {
    const config = loadBridgeConfig({
      ...valid,
      BRIDGE_MAX_IN_FLIGHT: '',
      HTTP_PORT: '  ',
      CLOUDINSIGHT_REGION_NO: '',
    });
    expect(config.maxInFlight).toBe(256);
    expect(config.httpPort).toBe(3000);
    expect(config).not.toHaveProperty('cloudinsightRegionNo');
  });

  it('lists a default only for known variables', () => {
    for (const name of Object.keys(ENV_DEFAULTS)) expect(BRIDGE_ENV_VARIABLES).toContain(name);
    for (const name of SECRET_ENV_VARIABLES) expect(BRIDGE_ENV_VARIABLES).toContain(name);
  });
});

describe('loadBridgeConfig: values', () => {
  it('reads every variable', () => {
    const config = loadBridgeConfig({
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9093,[::1]:9094',
      KAFKA_CLIENT_ID: 'bridge-a',
      KAFKA_SSL: 'TRUE',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'user',
      KAFKA_SASL_PASSWORD: 'pass',
      BRIDGE_TOPICS: 'a, b,a',
      BRIDGE_GROUP_ID: 'group-a',
      BRIDGE_TARGETS: 'guance,cloudinsight',
      BRIDGE_ROUTE_HEADER: 'x-route',
      BRIDGE_START_FROM: 'latest',
      BRIDGE_DLQ_TOPIC: 'dead.letters',
      BRIDGE_MAX_IN_FLIGHT: '10000',
      BRIDGE_CONCURRENCY: 'Fixed',
      BRIDGE_HTTP_TIMEOUT_MS: '2500',
      BRIDGE_RETRY_DEADLINE_MS: '0',
      BRIDGE_SHUTDOWN_TIMEOUT_MS: '5000',
      BRIDGE_FETCH_MAX_WAIT_MS: '0',
      DATASTREAM_MAX_RECORD_BYTES: '1024',
      CLOUDINSIGHT_MAX_RECORD_BYTES: '2048',
      GUANCE_MAX_RECORD_BYTES: '1073741824',
      NCP_ACCESS_KEY: 'ak',
      NCP_SECRET_KEY: 'sk',
      DATASTREAM_ENDPOINT: 'http://emulator:8080/',
      CLOUDINSIGHT_ENDPOINT: 'https://proxy.example.com/ncp//',
      CLOUDINSIGHT_REGION_NO: '7',
      GUANCE_ENDPOINT: 'http://127.0.0.1:8080',
      GUANCE_API_KEY: 'key',
      GUANCE_SECRET: 'secret',
      GUANCE_SUB_URI: 'sub',
      GUANCE_MONITORS: '{"billing": {"secret": "s2", "subUri": "u2"}}',
      HTTP_PORT: '0',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      kafka: {
        brokers: ['kafka-1:9092', 'kafka-2:9093', '[::1]:9094'],
        clientId: 'bridge-a',
        ssl: true,
        sasl: { mechanism: 'scram-sha-512', username: 'user', password: 'pass' },
      },
      topics: ['a', 'b'],
      groupId: 'group-a',
      targets: ['cloudinsight', 'guance'],
      unroutableTarget: 'cloudinsight',
      routeHeader: 'x-route',
      startFrom: 'latest',
      dlqTopic: 'dead.letters',
      maxInFlight: 10000,
      adaptiveConcurrency: false,
      maxRecordBytes: { datastream: 1024, cloudinsight: 2048, guance: 1024 ** 3 },
      fetchMaxWaitMs: 0,
      httpTimeoutMs: 2500,
      retryDeadlineMs: 0,
      shutdownTimeoutMs: 5000,
      datastreamEndpoint: 'http://emulator:8080',
      cloudinsightEndpoint: 'https://proxy.example.com/ncp',
      cloudinsightRegionNo: '7',
      guance: { endpoint: 'http://127.0.0.1:8080', monitors: { billing: { secret: 's2', subUri: 'u2' } } },
      httpPort: 0,
      logLevel: 'debug',
    });
  });

  it.each([
    ['1', true],
    ['0', false],
    ['false', false],
  ])('reads KAFKA_SSL=%s', (value, ssl) => {
    expect(loadBridgeConfig({ ...valid, KAFKA_SSL: value }).kafka.ssl).toBe(ssl);
  });

  it('needs no NCP keys without an NCP target, and no Guance settings without guance', () => {
    const guanceOnly = loadBridgeConfig({
      BRIDGE_TOPICS: 't',
      BRIDGE_TARGETS: 'guance',
      GUANCE_API_KEY: 'k',
      GUANCE_SECRET: 's',
      GUANCE_SUB_URI: 'u',
    });
    expect(guanceOnly.ncp).toBeUndefined();
    expect(guanceOnly.unroutableTarget).toBe('guance');
    const ncpOnly = loadBridgeConfig({
      BRIDGE_TOPICS: 't',
      BRIDGE_TARGETS: 'datastream',
      NCP_ACCESS_KEY: 'a',
      NCP_SECRET_KEY: 's',
    });
    expect(ncpOnly.guance).toBeUndefined();
  });

  it('takes BRIDGE_UNROUTABLE_TARGET even when this process does not deliver to it', () => {
    const config = loadBridgeConfig({
      ...valid,
      BRIDGE_TARGETS: 'cloudinsight',
      BRIDGE_UNROUTABLE_TARGET: 'datastream',
    });
    expect(config.unroutableTarget).toBe('datastream');
  });

  it('defaults BRIDGE_UNROUTABLE_TARGET to the first target in TARGETS order, not in list order', () => {
    expect(loadBridgeConfig({ ...valid, BRIDGE_TARGETS: 'guance,cloudinsight' }).unroutableTarget).toBe('cloudinsight');
  });

  it('keeps named monitors in an object without a prototype', () => {
    const { monitors } = loadBridgeConfig(valid).guance!;
    expect(monitors.constructor).toBeUndefined();
    expect(monitors.toString).toBeUndefined();
  });
});

describe('loadBridgeConfig: bad values give one line naming the variable', () => {
  it.each<[Record<string, string>, string]>([
    [{ BRIDGE_TOPICS: '' }, 'BRIDGE_TOPICS is required'],
    [{ BRIDGE_TOPICS: ' , ' }, 'BRIDGE_TOPICS must be a comma-separated list of Kafka topic names (got ",")'],
    [{ BRIDGE_TOPICS: 'a b' }, 'BRIDGE_TOPICS must be a comma-separated list of Kafka topic names (got "a b")'],
    [{ BRIDGE_MAX_IN_FLIGHT: 'abc' }, 'BRIDGE_MAX_IN_FLIGHT must be an integer between 1 and 10000 (got "abc")'],
    [{ BRIDGE_MAX_IN_FLIGHT: '0' }, 'BRIDGE_MAX_IN_FLIGHT must be an integer between 1 and 10000 (got "0")'],
    [{ BRIDGE_MAX_IN_FLIGHT: '1.5' }, 'BRIDGE_MAX_IN_FLIGHT must be an integer between 1 and 10000 (got "1.5")'],
    [{ BRIDGE_HTTP_TIMEOUT_MS: '10s' }, 'BRIDGE_HTTP_TIMEOUT_MS must be an integer between 100 and 600000 (got "10s")'],
    [{ BRIDGE_CONCURRENCY: 'auto' }, 'BRIDGE_CONCURRENCY must be one of adaptive, fixed (got "auto")'],
    [
      { GUANCE_MAX_RECORD_BYTES: '1MiB' },
      'GUANCE_MAX_RECORD_BYTES must be an integer between 1024 and 1073741824 (got "1MiB")',
    ],
    [
      { BRIDGE_RETRY_DEADLINE_MS: '-1' },
      'BRIDGE_RETRY_DEADLINE_MS must be an integer between 0 and 2147483647 (got "-1")',
    ],
    [
      { BRIDGE_SHUTDOWN_TIMEOUT_MS: '1e3' },
      'BRIDGE_SHUTDOWN_TIMEOUT_MS must be an integer between 0 and 600000 (got "1e3")',
    ],
    [{ HTTP_PORT: '65536' }, 'HTTP_PORT must be an integer between 0 and 65535 (got "65536")'],
    [{ KAFKA_SSL: 'yes' }, 'KAFKA_SSL must be true, false, 1 or 0 (got "yes")'],
    [{ KAFKA_BROKERS: 'kafka' }, 'KAFKA_BROKERS must be a comma-separated list of host:port (got "kafka")'],
    [{ KAFKA_BROKERS: 'kafka:99999' }, 'KAFKA_BROKERS has a port above 65535 (got "kafka:99999")'],
    [{ KAFKA_CLIENT_ID: 'a b' }, 'KAFKA_CLIENT_ID must be 1-200 printable characters without spaces (got "a b")'],
    [
      { KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' },
      'KAFKA_SASL_MECHANISM must be one of plain, scram-sha-256, scram-sha-512 (got "gssapi")',
    ],
    [
      { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_PASSWORD: 'p' },
      'KAFKA_SASL_USERNAME is required when KAFKA_SASL_MECHANISM is set',
    ],
    [
      { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' },
      'KAFKA_SASL_PASSWORD is required when KAFKA_SASL_MECHANISM is set',
    ],
    [
      { KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' },
      'KAFKA_SASL_USERNAME is set but KAFKA_SASL_MECHANISM is not; KAFKA_SASL_PASSWORD is set but KAFKA_SASL_MECHANISM is not',
    ],
    [
      { BRIDGE_TARGETS: ',' },
      'BRIDGE_TARGETS must be a comma-separated list of datastream, cloudinsight, guance (got ",")',
    ],
    [
      { BRIDGE_TARGETS: 'datastream,kinesis' },
      'BRIDGE_TARGETS must list only datastream, cloudinsight, guance (got "datastream,kinesis")',
    ],
    [{ BRIDGE_TARGETS: 'guance,guance' }, 'BRIDGE_TARGETS must not name a target twice (got "guance,guance")'],
    [
      { BRIDGE_UNROUTABLE_TARGET: 'dlq' },
      'BRIDGE_UNROUTABLE_TARGET must be one of datastream, cloudinsight, guance (got "dlq")',
    ],
    [{ BRIDGE_START_FROM: 'beginning' }, 'BRIDGE_START_FROM must be one of earliest, latest (got "beginning")'],
    [{ BRIDGE_ROUTE_HEADER: 'x route' }, 'BRIDGE_ROUTE_HEADER must be a header name'],
    [
      { BRIDGE_DLQ_TOPIC: 'orders' },
      'BRIDGE_DLQ_TOPIC must not be one of BRIDGE_TOPICS (the bridge would consume its own dead letters) (got "orders")',
    ],
    [{ BRIDGE_DLQ_TOPIC: '..' }, 'BRIDGE_DLQ_TOPIC must be a Kafka topic name (got "..")'],
    [
      { DATASTREAM_ENDPOINT: 'api.datastream.naverncp.com' },
      'DATASTREAM_ENDPOINT must be an http(s) URL (got "api.datastream.naverncp.com")',
    ],
    [
      { CLOUDINSIGHT_ENDPOINT: 'ftp://cw.apigw.ntruss.com' },
      'CLOUDINSIGHT_ENDPOINT must be an http(s) URL (got "ftp://cw.apigw.ntruss.com")',
    ],
    [
      { GUANCE_ENDPOINT: 'https://openapi.guance.com/?x=1' },
      'GUANCE_ENDPOINT must not have a query or a fragment (got "https://openapi.guance.com/?x=1")',
    ],
    [{ CLOUDINSIGHT_REGION_NO: 'SGN' }, 'CLOUDINSIGHT_REGION_NO must be a region number (7 for Singapore) (got "SGN")'],
    [
      { LOG_LEVEL: 'verbose' },
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "verbose")',
    ],
    [{ NCP_ACCESS_KEY: '' }, 'NCP_ACCESS_KEY is required when BRIDGE_TARGETS includes datastream or cloudinsight'],
    [{ NCP_SECRET_KEY: ' ' }, 'NCP_SECRET_KEY is required when BRIDGE_TARGETS includes datastream or cloudinsight'],
    [{ GUANCE_API_KEY: '' }, 'GUANCE_API_KEY is required when BRIDGE_TARGETS includes guance'],
    [{ GUANCE_SECRET: '' }, 'GUANCE_SECRET is required when BRIDGE_TARGETS includes guance'],
    [{ GUANCE_SUB_URI: '' }, 'GUANCE_SUB_URI is required when BRIDGE_TARGETS includes guance'],
    [
      { GUANCE_MONITORS: '[]' },
      'GUANCE_MONITORS must be a JSON object like {"name": {"secret": "...", "subUri": "..."}}',
    ],
    [
      { GUANCE_MONITORS: '{"a": "b"}' },
      'GUANCE_MONITORS must map each monitor name to {"secret": "...", "subUri": "..."} (the 1st monitor does not)',
    ],
    [
      { GUANCE_MONITORS: '{"a": {"secret": "s", "subUri": "u"}, "b": {"secret": "s"}}' },
      'GUANCE_MONITORS needs a non-empty string subUri in the 2nd monitor',
    ],
    [
      { GUANCE_MONITORS: '{"a": {"secret": "s", "subUri": "u", "sub_uri": "v"}}' },
      'GUANCE_MONITORS has a property other than "secret" and "subUri" in the 1st monitor',
    ],
    [
      { GUANCE_MONITORS: '{"bad name": {"secret": "s", "subUri": "u"}}' },
      'GUANCE_MONITORS has a monitor name that is not 1-128 letters, digits or . _ : - (the 1st monitor)',
    ],
    [{ GUANCE_MONITORS: '{"__proto__": {"secret": "s", "subUri": "u"}}' }, 'GUANCE_MONITORS has a monitor name'],
  ])('%j', (overrides, message) => {
    const error = errorOf({ ...valid, ...overrides });
    expect(error).toContain(message);
    expect(error).not.toContain('\n');
    expect(error.startsWith(message.split(' ')[0])).toBe(true);
  });

  it('names every bad variable on one line, in the documented order', () => {
    expect(
      errorOf({
        HTTP_PORT: 'x',
        BRIDGE_TOPICS: '',
        BRIDGE_TARGETS: 'guance',
        GUANCE_API_KEY: 'k',
        GUANCE_SECRET: 's',
        GUANCE_SUB_URI: 'u',
      }),
    ).toBe('BRIDGE_TOPICS is required; HTTP_PORT must be an integer between 0 and 65535 (got "x")');
  });

  it('keeps a value with a line break on one line', () => {
    expect(errorOf({ ...valid, BRIDGE_START_FROM: 'earliest\nlatest' })).toBe(
      'BRIDGE_START_FROM must be one of earliest, latest (got "earliest\\nlatest")',
    );
  });
});

describe('loadBridgeConfig: secrets never appear in errors', () => {
  const secret = 'Sup3r-Secret-Value';

  it.each<[string, Record<string, string>]>([
    ['a bad GUANCE_MONITORS', { GUANCE_MONITORS: `{"a": {"secret": "${secret}"}}` }],
    ['GUANCE_MONITORS that is not JSON', { GUANCE_MONITORS: `{"a": {"secret": "${secret}"` }],
    ['a SASL password without a mechanism', { KAFKA_SASL_PASSWORD: secret }],
    [
      'a SASL password with a bad mechanism',
      { KAFKA_SASL_MECHANISM: 'x', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: secret },
    ],
    ['an endpoint with credentials', { DATASTREAM_ENDPOINT: `https://user:${secret}@api.example.com` }],
    [
      'a secret key while other values are bad',
      { NCP_SECRET_KEY: secret, GUANCE_API_KEY: secret, GUANCE_SECRET: secret, HTTP_PORT: 'x' },
    ],
  ])('%s', (_name, overrides) => {
    const error = errorOf({ ...valid, ...overrides });
    expect(error).not.toContain(secret);
    expect(error).not.toContain('Sup3r');
  });
});

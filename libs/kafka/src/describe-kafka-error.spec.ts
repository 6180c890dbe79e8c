import { describeKafkaError } from './describe-kafka-error';

/** A kafkajs-shaped error chain: what a failed connect rejects with after its retries. */
function kafkajsError(name: string, message: string, extra: Record<string, unknown> = {}, cause?: Error) {
  return Object.assign(new Error(message), { name, ...extra, originalError: cause });
}

const endpoint = {
  brokers: ['kafka-1:9093', 'kafka-2:9093'],
  ssl: true,
  sasl: { mechanism: 'scram-sha-512', username: 'bridge', password: 'Pa55-secret' },
};

describe('describeKafkaError', () => {
  it('names an untrusted broker certificate and the variable that fixes it', () => {
    const cause = kafkajsError(
      'KafkaJSConnectionError',
      'Connection error: self-signed certificate in certificate chain',
      {
        broker: 'kafka-1:9093',
        code: 'SELF_SIGNED_CERT_IN_CHAIN',
      },
    );
    const err = kafkajsError('KafkaJSNumberOfRetriesExceeded', cause.message, {}, cause);
    expect(describeKafkaError(err, endpoint)).toBe(
      "cannot connect to Kafka at kafka-1:9093 over TLS: self-signed certificate in certificate chain (is KAFKA_SSL_CA_FILE your brokers' CA?)",
    );
  });

  it('names a refused SASL login by user and mechanism, never the password', () => {
    const cause = kafkajsError('KafkaJSSASLAuthenticationError', 'SASL SCRAM SHA512 authentication failed: bad');
    const line = describeKafkaError(kafkajsError('KafkaJSNonRetriableError', cause.message, {}, cause), endpoint);
    expect(line).toBe(
      'SASL authentication failed for user "bridge" (scram-sha-512) at kafka-1:9093,kafka-2:9093: check KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD',
    );
    expect(line).not.toContain('Pa55');
  });

  it('asks for a client certificate when the brokers refuse to go on without one, or names the one they refused', () => {
    const openssl =
      'Connection error: 407D736D9C7F0000:error:0A000412:SSL routines:ssl3_read_bytes:ssl/tls alert bad certificate:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:918:SSL alert number 42\n';
    const err = kafkajsError('KafkaJSConnectionError', openssl, {
      broker: 'kafka-2:9093',
      code: 'ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE',
    });
    expect(describeKafkaError(err, endpoint)).toBe(
      'cannot connect to Kafka at kafka-2:9093 over TLS: ssl/tls alert bad certificate (the brokers ask for a client certificate: set KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE)',
    );
    expect(describeKafkaError(err, { ...endpoint, tls: { cert: 'PEM' } })).toMatch(
      /\(the brokers do not accept KAFKA_SSL_CERT_FILE: is it signed by a CA they trust\?\)$/,
    );
  });

  it('names the brokers when none can be reached, and keeps other errors as their message chain', () => {
    const refused = kafkajsError('KafkaJSConnectionError', 'Connection error: connect ECONNREFUSED 127.0.0.1:1');
    expect(describeKafkaError(refused, { brokers: ['127.0.0.1:1'] })).toBe(
      'cannot reach Kafka at 127.0.0.1:1: Connection error: connect ECONNREFUSED 127.0.0.1:1',
    );
    expect(describeKafkaError(new Error('no @EventPattern handler'))).toBe('no @EventPattern handler');
  });
});

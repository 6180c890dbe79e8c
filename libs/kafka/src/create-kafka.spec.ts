import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { createKafka, tlsOptions } from './create-kafka';
import { LZ4, SNAPPY, ZSTD } from './codecs';

describe('createKafka', () => {
  it('registers snappy, lz4 and zstd with kafkajs for every client of the process', () => {
    createKafka({ brokers: ['127.0.0.1:9092'], clientId: 'x', ssl: false, metadataMaxAgeMs: 30_000 });
    expect(CompressionCodecs[CompressionTypes.Snappy]()).toBe(SNAPPY);
    expect(CompressionCodecs[CompressionTypes.LZ4]()).toBe(LZ4);
    expect(CompressionCodecs[CompressionTypes.ZSTD]()).toBe(ZSTD);
  });

  it('passes the CA and client certificate to TLS only when TLS is on', () => {
    const tls = { ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM', passphrase: 'p' };
    expect(tlsOptions({ ssl: false, tls })).toBe(false);
    expect(tlsOptions({ ssl: true })).toBe(true);
    expect(tlsOptions({ ssl: true, tls })).toEqual(tls);
    expect(tlsOptions({ ssl: true, tls: { ca: 'CA PEM' } })).toEqual({ ca: 'CA PEM' });
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestPki, TestPki } from '../../../tools/kafka/tls';
import { loadBridgeConfig } from './load-bridge-config';
import { ConfigError } from './validate-env';

const base = {
  BRIDGE_TOPICS: 'orders',
  BRIDGE_TARGETS: 'datastream',
  NCP_ACCESS_KEY: 'ak',
  NCP_SECRET_KEY: 'sk',
  KAFKA_SSL: 'true',
};

function errorOf(env: Record<string, string>): string {
  try {
    loadBridgeConfig({ ...base, ...env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadBridgeConfig: TLS files', () => {
  let dir: string;
  let pki: TestPki;
  let notPem: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bridge-tls-'));
    pki = makeTestPki(dir);
    notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the CA, the client certificate and its encrypted key with its password', () => {
    const config = loadBridgeConfig({
      ...base,
      KAFKA_SSL_CA_FILE: pki.ca,
      KAFKA_SSL_CERT_FILE: pki.clientCert,
      KAFKA_SSL_KEY_FILE: pki.clientKey,
      KAFKA_SSL_KEY_PASSWORD: pki.clientKeyPassword,
    });
    expect(config.kafka.tls?.ca).toContain('-----BEGIN CERTIFICATE-----');
    expect(config.kafka.tls?.cert).toContain('-----BEGIN CERTIFICATE-----');
    expect(config.kafka.tls?.key).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----');
    expect(config.kafka.tls?.passphrase).toBe(pki.clientKeyPassword);
    expect(loadBridgeConfig({ ...base, KAFKA_SSL_CA_FILE: pki.ca }).kafka.tls?.cert).toBeUndefined();
    expect(loadBridgeConfig(base).kafka.tls).toBeUndefined();
  });

  it.each<[string, (p: TestPki) => Record<string, string>, string]>([
    [
      'a missing file',
      (p) => ({ KAFKA_SSL_CA_FILE: join(p.dir, 'nope.pem') }),
      'KAFKA_SSL_CA_FILE cannot be read (ENOENT)',
    ],
    [
      'a CA file that is not PEM',
      () => ({ KAFKA_SSL_CA_FILE: notPem }),
      'KAFKA_SSL_CA_FILE must be a PEM file with a CERTIFICATE block',
    ],
    [
      'files without TLS',
      (p) => ({ KAFKA_SSL: 'false', KAFKA_SSL_CA_FILE: p.ca }),
      'KAFKA_SSL_CA_FILE needs KAFKA_SSL=true',
    ],
    [
      'a certificate without its key',
      (p) => ({ KAFKA_SSL_CERT_FILE: p.clientCert }),
      'KAFKA_SSL_KEY_FILE is required when KAFKA_SSL_CERT_FILE is set',
    ],
    [
      'a key without its certificate',
      (p) => ({ KAFKA_SSL_KEY_FILE: p.strangerKey }),
      'KAFKA_SSL_KEY_FILE is set but KAFKA_SSL_CERT_FILE is not',
    ],
    [
      'an encrypted key without its password',
      (p) => ({ KAFKA_SSL_CERT_FILE: p.clientCert, KAFKA_SSL_KEY_FILE: p.clientKey }),
      'KAFKA_SSL_KEY_FILE holds an encrypted key: set KAFKA_SSL_KEY_PASSWORD',
    ],
    [
      'a wrong key password',
      (p) => ({
        KAFKA_SSL_CERT_FILE: p.clientCert,
        KAFKA_SSL_KEY_FILE: p.clientKey,
        KAFKA_SSL_KEY_PASSWORD: 'Wr0ng-pass',
      }),
      'KAFKA_SSL_KEY_FILE holds a key that KAFKA_SSL_KEY_PASSWORD does not decrypt',
    ],
    [
      'a key of another certificate',
      (p) => ({ KAFKA_SSL_CERT_FILE: p.clientCert, KAFKA_SSL_KEY_FILE: p.strangerKey }),
      'KAFKA_SSL_KEY_FILE does not hold the key of KAFKA_SSL_CERT_FILE',
    ],
    [
      'a key password without a key',
      () => ({ KAFKA_SSL_KEY_PASSWORD: 'Wr0ng-pass' }),
      'KAFKA_SSL_KEY_PASSWORD is set but KAFKA_SSL_KEY_FILE is not',
    ],
  ])('%s: one line naming the variable, never the password', (_name, env, message) => {
    const error = errorOf(env(pki));
    expect(error).toContain(message);
    expect(error.startsWith(message.split(' ')[0])).toBe(true);
    expect(error).not.toContain('\n');
    expect(error).not.toContain('Wr0ng');
    expect(error).not.toContain(pki.clientKeyPassword);
  });
});

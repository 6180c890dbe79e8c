import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A private CA and certificates made with openssl for tests (EC P-256, valid 2 days). */
export interface TestPki {
  dir: string;
  /** the CA's certificate: what KAFKA_SSL_CA_FILE names */
  ca: string;
  /** the broker's key and certificate chain in one PEM file (Kafka's PEM key store) */
  brokerKeystore: string;
  /** a client certificate signed by the CA, and its key encrypted with `clientKeyPassword` */
  clientCert: string;
  clientKey: string;
  clientKeyPassword: string;
  /** a client certificate and unencrypted key from another CA, which the broker does not trust */
  strangerCert: string;
  strangerKey: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function newKey(cwd: string, name: string): void {
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', name], cwd);
}

function selfSignedCa(cwd: string, name: string, cn: string): void {
  newKey(cwd, `${name}.key`);
  const ext = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'];
  openssl(
    ['req', '-x509', '-new', '-key', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${cn}`, ...ext],
    cwd,
  );
}

function signed(cwd: string, name: string, ca: string, cn: string, extensions: string): void {
  newKey(cwd, `${name}.key`);
  openssl(['req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`], cwd);
  writeFileSync(join(cwd, `${name}.ext`), extensions);
  const sign = ['-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`];
  openssl(['x509', '-req', '-in', `${name}.csr`, '-out', `${name}.pem`, ...sign], cwd);
}

const CLIENT_KEY_PASSWORD = 'SECRET-tls-key-7d41c9';

/** The files of a TestPki made in `dir` before (by makeTestPki, e.g. in another process). */
export function testPkiFiles(dir: string): TestPki {
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    brokerKeystore: join(dir, 'broker-keystore.pem'),
    clientCert: join(dir, 'client.pem'),
    clientKey: join(dir, 'client-encrypted.key'),
    clientKeyPassword: CLIENT_KEY_PASSWORD,
    strangerCert: join(dir, 'stranger.pem'),
    strangerKey: join(dir, 'stranger.key'),
  };
}

export function makeTestPki(dir: string): TestPki {
  mkdirSync(dir, { recursive: true });
  selfSignedCa(dir, 'ca', 'bridge test CA');
  signed(dir, 'broker', 'ca', '127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  writeFileSync(
    join(dir, 'broker-keystore.pem'),
    readFileSync(join(dir, 'broker.key'), 'utf8') + readFileSync(join(dir, 'broker.pem'), 'utf8'),
  );
  signed(dir, 'client', 'ca', 'bridge-test-client', 'extendedKeyUsage=clientAuth\n');
  const encrypt = ['-topk8', '-v2', 'aes-256-cbc', '-passout', `pass:${CLIENT_KEY_PASSWORD}`];
  openssl(['pkcs8', ...encrypt, '-in', 'client.key', '-out', 'client-encrypted.key'], dir);
  selfSignedCa(dir, 'stranger-ca', 'some other CA');
  signed(dir, 'stranger', 'stranger-ca', 'stranger', 'extendedKeyUsage=clientAuth\n');
  return testPkiFiles(dir);
}

import { TARGETS } from '@app/contracts';
import { EmulatorServer } from '../apps/emulator/src';
import { TEST_SASL_USER } from '../tools/kafka/broker';
import { testPkiFiles } from '../tools/kafka/tls';
import { BridgeProcess, killAll, startBridge } from './support/bridge-process';
import { CompatCase, waitLagZero } from './support/compat';
import { Ledger, sleep } from './support/faults';
import { createTopic, uniqueName } from './support/kafka';
import { kcatSend } from './support/real-producers';
import { bridgeEnv, startTestEmulator, waitFor } from './support/stack';

// TLS with a private CA made at test time, SASL (SCRAM and PLAIN) over it, and mTLS, against the
// SASL_SSL and SSL listeners of the harness broker (global setup). Records are written by kcat.

const saslSsl = process.env.KAFKA_TEST_SASL_SSL_BROKERS;
const mtls = process.env.KAFKA_TEST_SSL_BROKERS;
const suite = saslSsl && mtls && process.env.KAFKA_TEST_PKI_DIR ? describe : describe.skip;

suite('compatibility: TLS with a private CA, SASL over TLS, mTLS', () => {
  const pki = testPkiFiles(process.env.KAFKA_TEST_PKI_DIR ?? '');
  const sasl = (mechanism: string, password = TEST_SASL_USER.password) => ({
    KAFKA_BROKERS: saslSsl!,
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: pki.ca,
    KAFKA_SASL_MECHANISM: mechanism,
    KAFKA_SASL_USERNAME: TEST_SASL_USER.username,
    KAFKA_SASL_PASSWORD: password,
  });
  const clientCert = {
    KAFKA_BROKERS: mtls!,
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: pki.ca,
    KAFKA_SSL_CERT_FILE: pki.clientCert,
    KAFKA_SSL_KEY_FILE: pki.clientKey,
    KAFKA_SSL_KEY_PASSWORD: pki.clientKeyPassword,
  };
  const secrets = [TEST_SASL_USER.password, pki.clientKeyPassword, 'Wr0ng-Passw0rd'];
  let emulator: { url: string; server: EmulatorServer };
  const bridges: BridgeProcess[] = [];

  beforeAll(async () => {
    emulator = await startTestEmulator();
  });

  afterAll(async () => {
    await killAll(bridges);
    await emulator?.server.close();
  });

  async function scenario(name: string, env: Record<string, string>) {
    const c = new CompatCase(name, [await createTopic(uniqueName(`compat-${name}`), 2)]);
    const s = { topic: c.topics[0], dlq: uniqueName('compat-dlq'), group: uniqueName(`compat-${name}`) };
    for (const partition of [0, 1]) {
      const records = c.kcatRecords(15, 'guance');
      await kcatSend({ topic: s.topic, partition, codec: 'zstd', headers: [['x-bridge-target', 'guance']], records });
    }
    const bridge = await startBridge({ ...bridgeEnv(emulator.url, s), ...env });
    bridges.push(bridge);
    return { c, s, bridge };
  }

  it('delivers over SCRAM-SHA-512 with the CA file, and over mTLS with an encrypted client key; lag 0', async () => {
    const runs = await Promise.all([scenario('scram512', sasl('scram-sha-512')), scenario('mtls', clientCert)]);
    for (const { c, s, bridge } of runs) {
      await bridge.waitReady();
      const ledger = await new Ledger(emulator.server, s.dlq, new Set(c.ids())).start();
      try {
        await waitFor(`${c.name}: every record delivered`, () => c.pending(ledger).length === 0, 60_000);
        await sleep(1_000);
        expect(c.outcomes(ledger)).toEqual({});
      } finally {
        await ledger.stop();
      }
      const groups = TARGETS.map((t) => `${s.group}-${t}`);
      expect(await waitLagZero(groups, c.topics)).toEqual([]);
      for (const secret of secrets) expect(bridge.output()).not.toContain(secret);
    }
  });

  it('connects with SASL PLAIN and SCRAM-SHA-256 over TLS', async () => {
    const runs = await Promise.all([scenario('plain', sasl('plain')), scenario('scram256', sasl('scram-sha-256'))]);
    await Promise.all(runs.map((r) => r.bridge.waitReady()));
  });

  it.each<[string, () => Record<string, string>, RegExp]>([
    [
      'a wrong SASL password',
      () => sasl('scram-sha-512', 'Wr0ng-Passw0rd'),
      /^kafka-ncp-bridge failed to start: SASL authentication failed for user "bridge-test" \(scram-sha-512\) at 127\.0\.0\.1:\d+: check KAFKA_SASL_USERNAME\/KAFKA_SASL_PASSWORD$/m,
    ],
    [
      'a broker certificate from a CA it was not told about',
      () => {
        const env = sasl('scram-sha-512');
        delete (env as Record<string, string | undefined>).KAFKA_SSL_CA_FILE;
        return env;
      },
      /^kafka-ncp-bridge failed to start: cannot connect to Kafka at 127\.0\.0\.1:\d+ over TLS: .*certificate.* \(is KAFKA_SSL_CA_FILE your brokers' CA\?\)$/m,
    ],
    [
      'no client certificate where the brokers require one',
      () => ({ KAFKA_BROKERS: mtls!, KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: pki.ca }),
      /^kafka-ncp-bridge failed to start: cannot connect to Kafka at 127\.0\.0\.1:\d+ over TLS: [^\n]*\(the brokers ask for a client certificate: set KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE\)$/m,
    ],
    [
      'a client certificate from a CA the brokers do not trust',
      () => ({
        ...clientCert,
        KAFKA_SSL_CERT_FILE: pki.strangerCert,
        KAFKA_SSL_KEY_FILE: pki.strangerKey,
        KAFKA_SSL_KEY_PASSWORD: '',
      }),
      /^kafka-ncp-bridge failed to start: cannot connect to Kafka at 127\.0\.0\.1:\d+ over TLS: [^\n]*\(the brokers do not accept KAFKA_SSL_CERT_FILE: is it signed by a CA they trust\?\)$/m,
    ],
  ])('refuses to start on %s: exit 1, one line naming the cause, no secret', async (_name, env, line) => {
    const c = new CompatCase('refused', [await createTopic(uniqueName('compat-refused'), 1)]);
    const s = { topic: c.topics[0], dlq: uniqueName('compat-dlq'), group: uniqueName('compat-refused') };
    const bridge = await startBridge({ ...bridgeEnv(emulator.url, s), ...env() });
    bridges.push(bridge);
    expect(await bridge.exited).toBe(1);
    expect(bridge.output()).toMatch(line);
    for (const secret of secrets) expect(bridge.output()).not.toContain(secret);
  });
});

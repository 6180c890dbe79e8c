import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { loadBridgeConfig } from './load-bridge-config';
import { configErrorOf } from './load-config.fixtures';

const valid = {
  BRIDGE_TOPICS: 'orders',
  BRIDGE_TARGETS: 'guance',
  GUANCE_API_KEY: 'k',
  GUANCE_SECRET: 's',
  GUANCE_SUB_URI: 'u',
};

const errorOf = (env: Record<string, string>) => configErrorOf({ ...valid, ...env });

describe('egress: proxies and a CA for the APIs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-ca-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('has none by default', () => {
    expect(loadBridgeConfig(valid).egress).toEqual({});
  });

  it('reads the proxy variables; the lower-case form wins, as with curl', () => {
    const config = loadBridgeConfig({
      ...valid,
      HTTPS_PROXY: 'http://upper.example.com:3128',
      https_proxy: 'http://user:pass@lower.example.com:3128',
      HTTP_PROXY: 'https://proxy.example.com',
      NO_PROXY: 'localhost, .svc.cluster.local,10.0.0.1:8080',
    });
    expect(config.egress).toEqual({
      httpsProxy: 'http://user:pass@lower.example.com:3128',
      httpProxy: 'https://proxy.example.com',
      noProxy: 'localhost, .svc.cluster.local,10.0.0.1:8080',
    });
  });

  it.each([
    ['HTTPS_PROXY', 'proxy.example.com:3128', 'HTTPS_PROXY must be a proxy URL like http://proxy.example.com:3128'],
    ['HTTP_PROXY', 'socks5://proxy.example.com', 'HTTP_PROXY must be an http:// or https:// proxy URL'],
    ['https_proxy', 'http://proxy.example.com/x', 'https_proxy must not have a path, a query or a fragment'],
    ['NO_PROXY', 'a,\nb', 'NO_PROXY holds a control character (such as a line break) (got "a,\\nb")'],
  ])('refuses %s=%j', (name, value, message) => {
    expect(errorOf({ [name]: value })).toBe(message);
  });

  it('reads BRIDGE_API_CA_FILE at start: the certificates, trusted besides the usual roots', () => {
    const pem = `${rootCertificates[0]}\n${rootCertificates[1]}\n`;
    expect(loadBridgeConfig({ ...valid, BRIDGE_API_CA_FILE: file('ca.pem', pem) }).egress.ca).toBe(pem);
  });

  it.each([
    ['a file that is not there', () => join(dir, 'missing.pem'), 'cannot be read (ENOENT)'],
    ['a directory', () => dir, 'cannot be read (EISDIR)'],
    [
      'a key, not a certificate',
      () => file('key.pem', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'),
      'must name a PEM file of CA certificates (none found in it)',
    ],
    [
      'a certificate that does not parse',
      () =>
        file(
          'bad.pem',
          `${rootCertificates[0]}\n-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n`,
        ),
      'holds a certificate that cannot be read (the 2nd in the file)',
    ],
  ])('refuses BRIDGE_API_CA_FILE naming %s', (_what, path, why) => {
    const name = path();
    expect(errorOf({ BRIDGE_API_CA_FILE: name })).toBe(`BRIDGE_API_CA_FILE ${why} (got ${JSON.stringify(name)})`);
  });
});

describe('HTTP_HOST: the ops bind address', () => {
  it('is unset by default (all interfaces), and takes an address or a host name', () => {
    expect(loadBridgeConfig(valid)).not.toHaveProperty('httpHost');
    for (const host of ['127.0.0.1', '::', '0.0.0.0', 'fd00::1', 'localhost', 'bridge-0.bridge.svc']) {
      expect(loadBridgeConfig({ ...valid, HTTP_HOST: host }).httpHost).toBe(host);
    }
  });

  it.each(['127.0.0.1:3000', 'http://0.0.0.0', 'a b', '-x'])('refuses %j', (host) => {
    expect(errorOf({ HTTP_HOST: host })).toBe(
      `HTTP_HOST must be an IP address or a host name (got ${JSON.stringify(host)})`,
    );
  });
});

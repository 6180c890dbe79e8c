import { SECRET_ENV_VARIABLES } from './env-variables';
import { loadBridgeConfig } from './load-bridge-config';
import { configErrorOf, runLoadConfigOrExit } from './load-config.fixtures';

const CANARY = 'Zq7vX9Lm3Kp2Wt8R';
const valid: Record<string, string> = {
  BRIDGE_TOPICS: 'orders',
  NCP_ACCESS_KEY: 'AKIDEXAMPLE0000000000',
  NCP_SECRET_KEY: 'ncp-secret-value',
  GUANCE_API_KEY: 'guance-api-key-value',
  GUANCE_SECRET: 'guance-secret-value',
  GUANCE_SUB_URI: 'sub-uri',
  KAFKA_SASL_MECHANISM: 'plain',
  KAFKA_SASL_USERNAME: 'user',
  KAFKA_SASL_PASSWORD: 'password',
};

/** Values of each secret variable that stop the start, each holding the canary. */
const BAD_SECRET_VALUES: Record<string, [why: string, value: string][]> = {
  KAFKA_SASL_PASSWORD: [['a line break', `${CANARY}\n${CANARY}`]],
  KAFKA_SSL_KEY_PASSWORD: [['no key file to open', `${CANARY}\n${CANARY}`]],
  NCP_SECRET_KEY: [
    ['CR LF', `${CANARY}\r\n${CANARY}`],
    ['a character beyond Latin-1', `${CANARY}키`],
  ],
  GUANCE_API_KEY: [
    ['a header injection', `${CANARY}\r\nX-Injected: ${CANARY}`],
    ['a C1 control character', `${CANARY}\u0085${CANARY}`],
  ],
  GUANCE_SECRET: [['an escape character', `${CANARY}\u001b[2J${CANARY}`]],
  GUANCE_SUB_URI: [['a line break', `${CANARY}\n${CANARY}`]],
  GUANCE_MONITORS: [
    ['secret and subUri the wrong way round', `{"${CANARY}": "${CANARY}-sub"}`],
    ['a secret as a monitor name that is no name', `{"${CANARY}/x": {"secret": "s", "subUri": "u"}}`],
    ['a secret as a property name', `{"ops": {"${CANARY}": "x", "subUri": "u"}}`],
    ['a line break in a secret', `{"ops": {"secret": "${CANARY}\\n${CANARY}", "subUri": "u"}}`],
    ['JSON that does not parse', `{"ops": {"secret": "${CANARY}"`],
  ],
  HTTPS_PROXY: [['a password and a path', `http://user:${CANARY}@proxy.example.com:3128/${CANARY}`]],
  https_proxy: [['no URL', `proxy ${CANARY}`]],
  HTTP_PROXY: [['another scheme', `socks5://user:${CANARY}@proxy.example.com:1080`]],
  http_proxy: [['a query', `http://user:${CANARY}@proxy.example.com:3128?${CANARY}`]],
  OTEL_EXPORTER_OTLP_HEADERS: [
    ['a token without a name', `Bearer ${CANARY}`],
    ['a line break in a value', `authorization=Bearer%20${CANARY}%0A${CANARY}`],
  ],
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: [['a bad percent-encoding', `api-key=${CANARY}%E0%A4%A`]],
};

const errorOf = configErrorOf;

/** Any 4 characters in a row of the canary: "not even in part". */
function partsOfCanary(text: string): string[] {
  const parts: string[] = [];
  for (let i = 0; i + 4 <= CANARY.length; i++)
    if (text.includes(CANARY.slice(i, i + 4))) parts.push(CANARY.slice(i, i + 4));
  return parts;
}

describe('config errors never print any part of a secret variable', () => {
  it('has bad values for every secret variable', () => {
    expect(Object.keys(BAD_SECRET_VALUES).sort()).toEqual([...SECRET_ENV_VARIABLES].sort());
  });

  describe.each(Object.entries(BAD_SECRET_VALUES))('%s', (name, cases) => {
    it.each(cases)('with %s: one line naming it, without the value', (_why, value) => {
      const error = errorOf({ ...valid, [name]: value });
      expect(error.startsWith(`${name} `)).toBe(true);
      expect(error).not.toContain('\n');
      expect(partsOfCanary(error)).toEqual([]);
    });
  });

  it('at start, for each secret variable: exit 1 and one line on stderr naming it, without the value', async () => {
    const runs = await Promise.all(
      Object.entries(BAD_SECRET_VALUES).map(async ([name, [[, value]]]) => ({
        name,
        child: await runLoadConfigOrExit({ ...valid, [name]: value }),
      })),
    );
    for (const { name, child } of runs) {
      expect(child.status).toBe(1);
      expect(child.stdout).toBe('');
      expect(child.stderr).toMatch(new RegExp(`^kafka-ncp-bridge: invalid configuration: ${name} [^\n]+\n$`));
      expect(partsOfCanary(child.stderr)).toEqual([]);
    }
  }, 60_000);

  it('refuses control characters in every credential, and beyond Latin-1 where a header carries it', () => {
    const refused = (name: string, value: string) => errorOf({ ...valid, [name]: value }).startsWith(`${name} holds`);
    for (const name of ['NCP_ACCESS_KEY', 'NCP_SECRET_KEY', 'GUANCE_API_KEY']) {
      for (const bad of ['a\rb', 'a\nb', 'a\tb', 'a\u007fb', 'a\u0085b', 'a한b']) expect(refused(name, bad)).toBe(true);
    }
    for (const name of ['GUANCE_SECRET', 'GUANCE_SUB_URI', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD']) {
      expect(refused(name, 'a\r\nb')).toBe(true);
    }
    // Latin-1 a header can carry; anything in a URL path (encoded) or a SASL password (UTF-8).
    const accepted = { NCP_SECRET_KEY: 'sécret', GUANCE_SUB_URI: '告警', KAFKA_SASL_PASSWORD: '비밀번호 with space' };
    expect(loadBridgeConfig({ ...valid, ...accepted }).guance?.defaultMonitor.subUri).toBe('告警');
  });
});

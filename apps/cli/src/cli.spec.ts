import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli';
import type { CliContext } from './command';

/** Runs a command line in-process; nothing here reaches a broker or an API. */
async function run(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    env,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    writable: () => Promise.resolve(),
    status: () => undefined,
    signal: new AbortController().signal,
    now: () => Date.parse('2024-06-01T00:00:00Z'),
    readFile: (path) => Buffer.from(path === 'big.json' ? 'x'.repeat(15_001) : '{}'),
  };
  const code = await runCli(argv, ctx);
  return { code, out, err };
}

describe('runCli', () => {
  it.each([
    [['nope'], 'error: unknown command "nope"'],
    [[], 'error: no command given'],
    [['dlq'], 'error: unknown command "dlq"'],
    [['dlq', 'list', '--colour'], "error: Unknown option '--colour'"],
    [['dlq', 'list', 'extra'], 'error: Unexpected argument'],
    [['dlq', 'list', '--reason'], "error: Option '--reason <value>' argument missing"],
    [['dlq', 'list', '--reason', 'lost'], 'error: --reason must be one of unroutable, malformed, invalid'],
    [['dlq', 'list', '--reason', 'rejected,lost'], 'error: --reason must be one of'],
    [['dlq', 'list', '--target', 'slack'], 'error: --target must be one of datastream, cloudinsight, guance'],
    [['dlq', 'list', '--since', 'tuesday'], 'error: --since must be an ISO 8601 time'],
    [['dlq', 'list', '--until', '2024-02-30T25:00:00Z'], 'error: --until must be an ISO 8601 time'],
    [['dlq', 'list', '--since', '2024-06-02', '--until', '2024-06-01'], 'error: --since is later than --until'],
    [['dlq', 'list', '--limit', '0'], 'error: --limit must be a whole number >= 1'],
    [['dlq', 'replay', '--max-replays', '-1'], "error: Option '--max-replays' argument is ambiguous"],
    [['dlq', 'replay', '--max-replays', 'x'], 'error: --max-replays must be a whole number >= 1'],
    [['dlq', 'replay', '--rate', '0'], 'error: --rate must be a number > 0'],
    [['dlq', 'replay', '--dry-run=yes'], "error: Option '--dry-run' does not take an argument"],
    [['send', '--file', 'f'], 'error: --target is required'],
    [['send', '--target', 'guance'], 'error: --file is required'],
    [['send', '--target', 'guance', '--file', 'f'], 'error: --topic is required when BRIDGE_TOPICS is not set'],
    [['send', '--target', 'datastream', '--file', 'f', '--topic', 't', '--monitor', 'm'], 'error: --monitor goes with'],
    [['cloudinsight', 'integration', 'create', '--url', 'https://x'], 'error: --name is required'],
    [
      ['cloudinsight', 'integration', 'create', '--name', 'n', '--url', 'https://x'],
      'error: --payload-file is required',
    ],
    [
      ['cloudinsight', 'integration', 'create', '--name', 'n', '--url', 'u', '--payload-file', 'p'],
      'error: invalid integration "n": url must be an absolute URL',
    ],
    [
      ['cloudinsight', 'integration', 'create', '--name', 'n', '--url', 'https://x', '--payload-file', 'big.json'],
      'error: invalid integration "n": payload is 15001 bytes',
    ],
    [
      [
        'cloudinsight',
        'integration',
        'create',
        '--name',
        'n',
        '--url',
        'https://x',
        '--payload-file',
        'p',
        '--header',
        'novalue',
      ],
      'error: --header must look like name=value',
    ],
  ])('%j exits 2 with a usage line', async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err[0].startsWith(message)).toBe(true);
    expect(r.err.some((l) => /^(usage: | {2})bridge-cli /.test(l))).toBe(true);
  });

  it('lists only the commands of a family when asked for its help', async () => {
    const r = await run(['cloudinsight', '--help']);
    expect(r.code).toBe(0);
    expect(r.out.filter((l) => l.startsWith('  bridge-cli'))).toEqual([
      expect.stringContaining('cloudinsight integration create'),
      expect.stringContaining('cloudinsight integration list'),
    ]);
  });

  it.each(['dlq list', 'dlq replay', 'send', 'cloudinsight integration create', 'cloudinsight integration list'])(
    '%s --help prints usage and help to stdout and exits 0, whatever else is on the line',
    async (command) => {
      const path = command.split(' ');
      const r = await run([...path, '--reason', 'lost', '-h']);
      expect(r.code).toBe(0);
      expect(r.out[0].startsWith(`usage: bridge-cli ${command} `)).toBe(true);
      expect(r.out.join('\n')).toMatch(/\n {2}--/);
      expect(r.err).toEqual([]);
    },
  );

  it('stops on a bad environment variable with one line naming it, exit 1, and no secret', async () => {
    expect(await run(['dlq', 'list'], { KAFKA_SSL: 'maybe' })).toEqual({
      code: 1,
      out: [],
      err: ['error: invalid configuration: KAFKA_SSL must be true, false, 1 or 0 (got "maybe")'],
    });
    const badMechanism = await run(['dlq', 'list'], { KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_PASSWORD: 's3cret' });
    expect(badMechanism).toEqual({
      code: 1,
      out: [],
      err: [
        'error: invalid configuration: KAFKA_SASL_MECHANISM must be one of plain, scram-sha-256, scram-sha-512 ' +
          '(got "gssapi"); KAFKA_SASL_USERNAME is required when KAFKA_SASL_MECHANISM is set',
      ],
    });
    const badTopic = await run(['dlq', 'replay'], { BRIDGE_DLQ_TOPIC: 'a b' });
    expect(badTopic.err).toEqual([
      'error: invalid configuration: BRIDGE_DLQ_TOPIC must be a Kafka topic name (got "a b")',
    ]);
    const noKeys = await run(['cloudinsight', 'integration', 'list'], { NCP_SECRET_KEY: 's3cret' });
    expect(noKeys).toEqual({
      code: 1,
      out: [],
      err: ['error: invalid configuration: NCP_ACCESS_KEY is required for the cloudinsight commands'],
    });
    for (const r of [badMechanism, noKeys]) expect(r.err.join('\n')).not.toContain('s3cret');
    const keys = { NCP_ACCESS_KEY: 'ak', NCP_SECRET_KEY: 's3cret' };
    const dir = mkdtempSync(join(tmpdir(), 'cli-spec-'));
    writeFileSync(join(dir, 'p.json'), '{}');
    const badProxy = await run(['cloudinsight', 'integration', 'list'], {
      ...keys,
      HTTPS_PROXY: 'http://user:pr0xy-pass@proxy.example.com:3128/path',
    });
    expect(badProxy).toEqual({
      code: 1,
      out: [],
      err: ['error: invalid configuration: HTTPS_PROXY must not have a path, a query or a fragment'],
    });
    const noCa = await run(['cloudinsight', 'integration', 'list'], {
      ...keys,
      BRIDGE_API_CA_FILE: join(dir, 'p.json'),
    });
    expect(noCa.err).toEqual([
      `error: invalid configuration: BRIDGE_API_CA_FILE must name a PEM file of CA certificates (none found in it) (got "${join(dir, 'p.json')}")`,
    ]);
  });

  it('needs the NCP keys for cloudinsight commands whatever BRIDGE_TARGETS says', async () => {
    const r = await run(['cloudinsight', 'integration', 'list'], { BRIDGE_TARGETS: 'guance' });
    expect(r.err).toEqual([
      'error: invalid configuration: NCP_ACCESS_KEY is required for the cloudinsight commands; ' +
        'NCP_SECRET_KEY is required for the cloudinsight commands',
    ]);
  });

  it('is not stopped by bad values of variables the command does not read', async () => {
    const env = { HTTP_PORT: 'x', BRIDGE_MAX_IN_FLIGHT: '0', GUANCE_MONITORS: '[]', NCP_ACCESS_KEY: '' };
    const r = await run(['send', '--target', 'guance', '--file', 'f'], env);
    expect(r.code).toBe(2);
    expect(r.err[0]).toBe('error: --topic is required when BRIDGE_TOPICS is not set');
  });
});

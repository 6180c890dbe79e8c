import { runLoadConfigOrExit as run } from './load-config.fixtures';

describe('loadConfigOrExit', () => {
  it('exits 1 with one line on stderr naming the variable, without secrets', async () => {
    const child = await run({
      BRIDGE_TOPICS: 'orders',
      BRIDGE_MAX_IN_FLIGHT: 'abc',
      NCP_ACCESS_KEY: 'ak',
      NCP_SECRET_KEY: 'Sup3r-Secret-Value',
      BRIDGE_TARGETS: 'datastream',
    });
    expect(child.status).toBe(1);
    expect(child.stdout).toBe('');
    const lines = child.stderr.split('\n').filter(Boolean);
    expect(lines).toEqual([
      'kafka-ncp-bridge: invalid configuration: BRIDGE_MAX_IN_FLIGHT must be an integer between 1 and 10000 (got "abc")',
    ]);
    expect(child.stderr).not.toContain('Sup3r');
  });

  it('returns the configuration when the environment is valid', async () => {
    const child = await run({
      BRIDGE_TOPICS: 'orders',
      BRIDGE_TARGETS: 'datastream',
      NCP_ACCESS_KEY: 'a',
      NCP_SECRET_KEY: 's',
    });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(child.stdout).toBe('loaded orders');
  });
});

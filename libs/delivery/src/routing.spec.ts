import { rec } from './pipeline.fixtures';
import { Router } from './routing';

const KNOWN = ['datastream', 'cloudinsight', 'guance'];

describe('Router', () => {
  it("takes its target's records and skips other targets' records", () => {
    const r = new Router('guance', 'x-bridge-target', KNOWN, true);
    expect(r.route(rec(0, 'k', 'guance'))).toBe('mine');
    expect(r.route(rec(1, 'k', 'datastream'))).toBe('skip');
  });

  it('dead-letters records with no or an unknown route value only in the group that owns them', () => {
    const owner = new Router('datastream', 'x-bridge-target', KNOWN, true);
    const other = new Router('guance', 'x-bridge-target', KNOWN, false);
    for (const record of [rec(0, 'k', undefined), rec(1, 'k', 'nowhere')]) {
      expect(owner.route(record)).toBe('unroutable');
      expect(other.route(record)).toBe('skip');
    }
    expect(owner.whyUnroutable(rec(0, 'k', undefined))).toBe('no x-bridge-target header');
    expect(owner.whyUnroutable(rec(1, 'k', 'nowhere'))).toBe('unknown target "nowhere"');
  });

  it('reads the configured header name, and the first value of a repeated header', () => {
    const r = new Router('guance', 'route', KNOWN, true);
    const record = {
      ...rec(0, 'k', undefined),
      headers: { route: [Buffer.from('guance'), Buffer.from('datastream')] },
    };
    expect(r.route(record)).toBe('mine');
    expect(r.route(rec(1, 'k', 'guance'))).toBe('unroutable'); // x-bridge-target is not the header here
  });
});

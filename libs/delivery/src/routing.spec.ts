import { rec } from './pipeline.fixtures';
import { Router } from './routing';

const KNOWN = ['datastream', 'cloudinsight', 'guance'];
const router = (target: 'datastream' | 'guance', deadLettersUnroutable: boolean, countElsewhere?: string[]) =>
  new Router({ target, header: 'x-bridge-target', knownTargets: KNOWN, deadLettersUnroutable, countElsewhere });

describe('Router', () => {
  it("takes its target's records and skips other targets' records", () => {
    const r = router('guance', true);
    expect(r.route(rec(0, 'k', 'guance'))).toBe('mine');
    expect(r.route(rec(1, 'k', 'datastream'))).toBe('skip');
  });

  it('dead-letters records with no or an unknown route value only in the group that owns them', () => {
    const owner = router('datastream', true);
    const other = router('guance', false);
    for (const record of [rec(0, 'k', undefined), rec(1, 'k', 'nowhere')]) {
      expect(owner.route(record)).toBe('unroutable');
      expect(other.route(record)).toBe('skip');
    }
    expect(owner.whyUnroutable(rec(0, 'k', undefined))).toBe('no x-bridge-target header');
    expect(owner.whyUnroutable(rec(1, 'k', 'nowhere'))).toBe('unknown target "nowhere"');
  });

  it('reads the configured header name, and the first value of a repeated header', () => {
    const r = new Router({ target: 'guance', header: 'route', knownTargets: KNOWN, deadLettersUnroutable: true });
    const record = {
      ...rec(0, 'k', undefined),
      headers: [
        { key: 'route', value: Buffer.from('guance') },
        { key: 'route', value: Buffer.from('datastream') },
      ],
    };
    expect(r.route(record)).toBe('mine');
    expect(r.route(rec(1, 'k', 'guance'))).toBe('unroutable'); // x-bridge-target is not the header here
  });

  it('reads route values in any case, as BRIDGE_TARGETS does', () => {
    expect(router('guance', true).route(rec(0, 'k', 'Guance'))).toBe('mine');
    expect(router('guance', true).route(rec(0, 'k', 'DATASTREAM'))).toBe('skip');
  });

  it('tells records for a target this process does not deliver, in the group that counts them', () => {
    const counting = router('guance', true, ['guance', 'cloudinsight']);
    expect(counting.route(rec(0, 'k', 'datastream'))).toBe('elsewhere');
    expect(counting.targetOf(rec(0, 'k', 'datastream'))).toBe('datastream');
    expect(counting.route(rec(1, 'k', 'cloudinsight'))).toBe('skip'); // delivered here, by its own group
    expect(router('guance', false).route(rec(0, 'k', 'datastream'))).toBe('skip');
  });

  describe('with routes by topic', () => {
    const topicTargets = new Map([['in', 'guance']]);
    const routed = (target: 'datastream' | 'guance', deadLettersUnroutable: boolean, countElsewhere?: string[]) =>
      new Router({
        target,
        header: 'x-bridge-target',
        knownTargets: KNOWN,
        deadLettersUnroutable,
        countElsewhere,
        topicTargets,
      });

    it('routes a record without the header by its topic, in every group as the header would', () => {
      const plain = rec(0, 'k', undefined);
      expect(routed('guance', false).route(plain)).toBe('mine-by-topic');
      expect(routed('datastream', true).route(plain)).toBe('skip'); // not unroutable: its topic has a route
      const counting = routed('datastream', true, ['datastream']);
      expect(counting.route(plain)).toBe('elsewhere');
      expect(counting.targetOf(plain)).toBe('guance');
    });

    it('lets the header win, a null header counting as none', () => {
      expect(routed('datastream', false).route(rec(0, 'k', 'datastream'))).toBe('mine');
      expect(routed('guance', false).route(rec(0, 'k', 'guance'))).toBe('mine');
      expect(routed('guance', false).route(rec(1, 'k', 'datastream'))).toBe('skip');
      expect(routed('datastream', true).route(rec(2, 'k', 'kinesis'))).toBe('unroutable'); // an unknown value stays unroutable
      const nullHeader = { ...rec(3, 'k', undefined), headers: [{ key: 'x-bridge-target', value: null }] };
      expect(routed('guance', false).route(nullHeader)).toBe('mine-by-topic');
    });

    it('leaves the records of other topics to the header', () => {
      const other = { ...rec(0, 'k', undefined), topic: 'other' };
      expect(routed('guance', false).route(other)).toBe('skip');
      expect(routed('datastream', true).route(other)).toBe('unroutable');
    });
  });
});

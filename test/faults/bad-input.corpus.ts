import type { DlqReason, Target } from '@app/contracts';
import type { TestRecord } from '../support/kafka';
import { recordBody } from '../support/records';

/** A bad record and what the bridge must do with it (docs/contract.md). */
export interface BadRecord extends TestRecord {
  id: string;
  kind: string;
  reason: Extract<DlqReason, 'unroutable' | 'malformed' | 'invalid'>;
  /** x-dlq-target; undefined for unroutable records */
  target?: Target;
}

const TARGETS: readonly Target[] = ['datastream', 'cloudinsight', 'guance'];
export const FIVE_MB = 5 * 1024 * 1024;

/** Deterministic pseudo-random numbers, so a failing corpus record can be rebuilt. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const INVALID_UTF8: Buffer[] = [
  Buffer.from([0xff]),
  Buffer.from([0xc3, 0x28]), // bad continuation
  Buffer.from([0xe2, 0x82]), // truncated 3-byte sequence
  Buffer.from([0xf0, 0x28, 0x8c, 0xbc]),
  Buffer.from([0xc0, 0xaf]), // overlong '/'
  Buffer.from([0xed, 0xa0, 0x80]), // UTF-16 surrogate half
  Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]), // 5-byte form
  Buffer.from([0x80]), // lone continuation byte
];

function nested(depth: number, leaf: unknown): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = { n: v };
  return v;
}

function nestedText(depth: number, leaf = '"x"'): string {
  return '{"n":'.repeat(depth) + leaf + '}'.repeat(depth);
}

/** Bodies that are JSON objects but break each target's contract (docs/contract.md). */
function wrongTypes(target: Target, id: string): unknown[] {
  const ok = recordBody(target, id, 0) as Record<string, unknown>;
  switch (target) {
    case 'datastream':
      return [
        { ...ok, topic: 42 },
        { ...ok, key: { k: 1 } },
        { ...ok, value: ['a'] },
        { ...ok, value: null },
        { ...ok, partition: -1 },
        { ...ok, partition: 1.5 },
        { ...ok, partition: '2' },
        { ...ok, topic: '' },
        { key: 'k', value: 'v' }, // no topic
        { ...ok, extra: 'unknown field' },
        { ...ok, value: 'v'.repeat(1024 * 1024 + 1) }, // over the 1 MiB message limit
      ];
    case 'cloudinsight':
      return [
        { ...ok, cw_key: 7 },
        { ...ok, cw_key: '' },
        { data: { cpu: 1 } }, // no cw_key: the API would drop it silently
        { ...ok, data: 'cpu=1' },
        { ...ok, data: { cpu: true } },
        { ...ok, data: { cpu: null } },
        { ...ok, data: { cpu: { nested: 1 } } },
        { ...ok, data: [{ cpu: 1 }, 'x'] },
        { ...ok, data: [{ cpu: [1, 2] }] },
        { ...ok, extra: 1 },
      ];
    case 'guance': {
      const event = (ok.event ?? {}) as Record<string, unknown>;
      return [
        { ...ok, event: { ...event, status: 'fine' } },
        { ...ok, event: { ...event, status: undefined } },
        { ...ok, event: { ...event, date: 1_700_000_000_000 } }, // milliseconds
        { ...ok, event: { ...event, date: '1700000000' } },
        { ...ok, event: { ...event, date: 1.5 } },
        { ...ok, event: { ...event, title: 3 } },
        { ...ok, event: { ...event, _hidden: 'x' } },
        { ...ok, event: { ...event, df_source: 'x' } },
        { ...ok, event: { ...event, workspace_uuid: 'x' } },
        { ...ok, event: { ...event, region: 1 } },
        { ...ok, event: { ...event, dimension_tags: { host: 1 } } },
        { ...ok, event: { ...event, host: 'a', dimension_tags: { host: 'a' } } },
        { ...ok, event: 'critical' },
        { ...ok, extraData: 'x' },
        { ...ok, secret: 'in-the-record' },
      ];
    }
  }
}

/** Prototype-reaching keys, spelled in the raw JSON (an object literal would not keep them as data). */
function unsafeKeyTexts(target: Target, id: string): string[] {
  const ok = JSON.stringify(recordBody(target, id, 0));
  const inner = ok.slice(1, -1);
  return [
    `{"__proto__":{"polluted":true},${inner}}`,
    `{"constructor":{"prototype":{"polluted":true}},${inner}}`,
    `{${inner},"prototype":{}}`,
    target === 'guance'
      ? `{"event":{"status":"ok","__proto__":{"polluted":"yes"}},"extraData":{}}`
      : target === 'cloudinsight'
        ? `{"cw_key":"k","data":[{"cpu":1},{"__proto__":{"cpu":2}}]}`
        : `{"topic":"t","key":"k","value":"v","constructor":"x"}`,
    target === 'guance'
      ? `{"event":{"status":"ok"},"extraData":{"a":{"b":{"constructor":{"prototype":{"x":1}}}}}}`
      : `{"__proto__":null,${inner}}`,
  ];
}

/**
 * At least `minimum` bad records of every kind the brief names, spread over the targets, each with
 * its id in `x-test-id` and the reason docs/contract.md gives it. `big` adds the 5 MB values.
 */
export function badCorpus(minimum = 1000, big = true): BadRecord[] {
  const random = rng(6);
  const out: BadRecord[] = [];
  let n = 0;
  const add = (
    kind: string,
    reason: BadRecord['reason'],
    target: Target | undefined,
    value: Buffer | string | null,
    headers: Record<string, string | Buffer> = target ? { 'x-bridge-target': target } : {},
    key: Buffer | string | null = `bad-${n % 17}`,
  ) => {
    const id = `bad-${n++}-${kind}`;
    out.push({ id, kind, reason, target, key, value, headers: { ...headers, 'x-test-id': id } });
  };

  while (out.length < minimum) {
    for (const target of TARGETS) {
      const good = JSON.stringify(recordBody(target, `g${n}`, 0));
      // not UTF-8: a bad sequence alone, inside a JSON string, or at the end of a valid body
      for (const bytes of INVALID_UTF8) {
        add('not-utf8', 'malformed', target, bytes);
        add('not-utf8-in-json', 'malformed', target, Buffer.concat([Buffer.from(good.slice(0, 20)), bytes]));
      }
      add(
        'not-utf8-key-and-header',
        'malformed',
        target,
        INVALID_UTF8[0],
        { 'x-bridge-target': target, trace: INVALID_UTF8[1] },
        INVALID_UTF8[2],
      );
      // truncated JSON, cut at a random point
      for (let i = 0; i < 6; i++) {
        add('truncated-json', 'malformed', target, good.slice(0, 1 + Math.floor(random() * (good.length - 2))));
      }
      add('empty-value', 'malformed', target, '');
      add('json-array', 'malformed', target, '[1,2,3]');
      add('json-string', 'malformed', target, '"a string"');
      add('json-number', 'malformed', target, '42');
      add('json-null', 'malformed', target, 'null');
      add('tombstone', 'malformed', target, null);
      add('tombstone-null-key', 'malformed', target, null, undefined, null);
      // deep nesting: just over the limit, and far over it (a recursive validator would overflow)
      const deepIn = target === 'guance' ? 'extraData' : target === 'cloudinsight' ? 'data' : 'meta';
      for (const depth of [33, 200, 5_000, 100_000]) {
        const body = JSON.stringify({ ...JSON.parse(good), [deepIn]: '__DEEP__' });
        add(`nested-${depth}`, 'invalid', target, body.replace('"__DEEP__"', nestedText(depth)));
      }
      add('nested-array-10000', 'invalid', target, `{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
      add('nested-object', 'invalid', target, JSON.stringify({ a: nested(40, 1) }));
      for (const text of unsafeKeyTexts(target, `u${n}`)) add('proto-key', 'invalid', target, text);
      for (const body of wrongTypes(target, `w${n}`)) add('wrong-type', 'invalid', target, JSON.stringify(body));
      add('empty-object', 'invalid', target, '{}');
    }
    // headers: missing, unknown, misspelt, empty; and a bad monitor name for Guance
    const good = JSON.stringify(recordBody('guance', `h${n}`, 0));
    add('no-headers', 'unroutable', undefined, good, {});
    add('unknown-target', 'unroutable', undefined, good, { 'x-bridge-target': 'kinesis' });
    add('upper-case-header', 'unroutable', undefined, good, { 'X-Bridge-Target': 'guance' });
    add('target-with-spaces', 'unroutable', undefined, good, { 'x-bridge-target': ' guance ' }); // values are read in any case, not trimmed
    add('empty-target', 'unroutable', undefined, good, { 'x-bridge-target': '' });
    add('binary-target', 'unroutable', undefined, good, { 'x-bridge-target': Buffer.from([0xff, 0x00]) });
    add('unroutable-tombstone', 'unroutable', undefined, null, {});
    add('unknown-headers-only', 'unroutable', undefined, good, { 'x-other': 'guance', target: 'guance' });
    add('unknown-monitor', 'invalid', 'guance', good, { 'x-bridge-target': 'guance', 'x-guance-monitor': 'nope' });
    add('monitor-proto', 'invalid', 'guance', good, {
      'x-bridge-target': 'guance',
      'x-guance-monitor': '__proto__',
    });
  }
  if (big) {
    // 5 MB values, each over its target's size cap (invalid before it is parsed, so even one that
    // is not JSON), and unroutable
    add('5mb-not-json', 'invalid', 'guance', Buffer.alloc(FIVE_MB, 0x61));
    const bigDs = JSON.stringify({ topic: 't', key: 'k', value: 'v'.repeat(FIVE_MB) });
    add('5mb-datastream', 'invalid', 'datastream', bigDs);
    add(
      '5mb-cloudinsight',
      'invalid',
      'cloudinsight',
      JSON.stringify({ cw_key: 'k', data: { ok: false, blob: 'b'.repeat(FIVE_MB) } }),
    );
    add('5mb-unroutable', 'unroutable', undefined, bigDs, {});
  }
  return out;
}

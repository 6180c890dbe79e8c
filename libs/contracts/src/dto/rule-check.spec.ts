import { validateSync, type ValidatorOptions } from 'class-validator';
import { CloudInsightRecordDto } from './cloudinsight-record.dto';
import { DataStreamRecordDto } from './datastream-record.dto';
import { GuanceEventDto, GuanceRecordDto } from './guance-record.dto';
import { ruleCheck } from './rule-check';
import { type DtoClass, instantiate, RECORD_VALIDATOR_OPTIONS } from './validation';

/** Deterministic pseudo-random numbers. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/** Values each field is tried with: right ones, wrong types, edge cases of every rule. */
const VALUES: unknown[] = [
  'text',
  '',
  ' ',
  'warning',
  'ok',
  'critical',
  'x'.repeat(400_000), // a Data Stream value over 1 MiB of UTF-8 once tripled below
  '한'.repeat(350_000),
  0,
  -1,
  1.5,
  2 ** 31,
  1700000000,
  1e12,
  null,
  true,
  false,
  [],
  [{ a: 1 }],
  [{ a: 'b', c: 2 }, {}],
  [1, 2],
  {},
  { a: 1 },
  { a: 'x', b: 2.5 },
  { a: { nested: 1 } },
  { host: 'h', service: 's' },
  { host: 1 },
];
const FIELDS: Record<string, string[]> = {
  datastream: ['topic', 'key', 'value', 'partition'],
  cloudinsight: ['cw_key', 'data'],
  guance: ['event', 'extraData'],
  event: ['status', 'date', 'title', 'message', 'dimension_tags', 'check_value', 'ext_team'],
};
/** A right value per field, so that about half the bodies are valid. */
const GOOD: Record<string, unknown> = {
  topic: 't',
  key: 'k',
  value: 'v',
  partition: 3,
  cw_key: 'c',
  data: { cpu: 1 },
  extraData: { a: 'b' },
  status: 'info',
  date: 1700000000,
  title: 't',
  message: 'm',
  dimension_tags: { host: 'h' },
  check_value: 2.5,
  ext_team: 'ops',
};
const EXTRA = ['unknown', 'Topic', 'toString', 'valueOf', '_private', 'df_x', 'source'];

function randomObject(random: () => number, fields: string[], nested?: () => unknown): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const field of fields) {
    const r = random();
    if (r < 0.1) continue;
    if (nested) object[field] = r < 0.8 ? nested() : VALUES[Math.floor(random() * VALUES.length)];
    else object[field] = r < 0.85 && field in GOOD ? GOOD[field] : VALUES[Math.floor(random() * VALUES.length)];
  }
  if (random() < 0.1) object[EXTRA[Math.floor(random() * EXTRA.length)]] = 'x';
  return object;
}

/** The Guance event's own options: open to user-defined fields. */
const EVENT_OPTIONS: ValidatorOptions = { forbidUnknownValues: true, stopAtFirstError: true };

/** Both verdicts on a fresh instance of `dto` made from `json`. */
function verdicts(dto: DtoClass, json: Record<string, unknown>, options: ValidatorOptions) {
  const body = instantiate(dto, structuredClone(json));
  return { fast: ruleCheck(dto, options)!(body), full: validateSync(body, options).length === 0 };
}

describe('ruleCheck', () => {
  it.each<[string, DtoClass, ValidatorOptions]>([
    ['datastream', DataStreamRecordDto, RECORD_VALIDATOR_OPTIONS],
    ['cloudinsight', CloudInsightRecordDto, RECORD_VALIDATOR_OPTIONS],
    ['guance', GuanceRecordDto, RECORD_VALIDATOR_OPTIONS],
    ['event', GuanceEventDto, EVENT_OPTIONS],
  ])('says yes exactly when validateSync finds no error, for 3,000 random %s bodies', (target, dto, options) => {
    const random = rng(target.length);
    const event = () => randomObject(random, FIELDS.event);
    let valid = 0;
    for (let i = 0; i < 3000; i++) {
      const json = randomObject(random, FIELDS[target], target === 'guance' ? event : undefined);
      const { fast, full } = verdicts(dto, json, options);
      if (fast !== full) throw new Error(`${target} ${JSON.stringify(json).slice(0, 300)}: fast ${fast}, full ${full}`);
      if (full) valid++;
    }
    expect(valid).toBeGreaterThan(30); // the random bodies reach both verdicts
    expect(valid).toBeLessThan(2970);
  });

  it('checks the open Guance event without the whitelist, as its own validation does', () => {
    const check = ruleCheck(GuanceEventDto, EVENT_OPTIONS)!;
    expect(check(instantiate(GuanceEventDto, { status: 'ok', ext_team: 'ops' }))).toBe(true);
    expect(check(instantiate(GuanceEventDto, { status: 'maybe' }))).toBe(false);
  });

  it('leaves classes with rules it does not run to validateSync', () => {
    class Plain {}
    expect(ruleCheck(Plain, RECORD_VALIDATOR_OPTIONS)).toBeUndefined();
  });
});

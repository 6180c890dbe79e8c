import { validateSync } from 'class-validator';
import { DLQ_ERROR_MAX_BYTES } from '../dlq';
import type { ParseResult } from '../send-result';
import type { Target } from '../targets';
import { truncateUtf8 } from '../truncate-utf8';
import { CloudInsightRecordDto } from './cloudinsight-record.dto';
import { DataStreamRecordDto } from './datastream-record.dto';
import { GuanceRecordDto } from './guance-record.dto';
import { ruleCheck } from './rule-check';
import {
  type DtoClass,
  fieldName,
  instantiate,
  isJsonObject,
  joinPath,
  RECORD_VALIDATOR_OPTIONS,
  summarize,
  validationMessages,
} from './validation';

/** The validated body each target's API receives. */
export interface RecordBodies {
  datastream: DataStreamRecordDto;
  cloudinsight: CloudInsightRecordDto;
  guance: GuanceRecordDto;
}
export type RecordBody<T extends Target> = RecordBodies[T];

export const RECORD_DTOS: { readonly [T in Target]: DtoClass<RecordBodies[T]> } = Object.freeze({
  datastream: DataStreamRecordDto,
  cloudinsight: CloudInsightRecordDto,
  guance: GuanceRecordDto,
});

/** Each target's rules, run without class-validator's executor for bodies that break none. */
const RULE_CHECKS = Object.freeze({
  datastream: ruleCheck(DataStreamRecordDto, RECORD_VALIDATOR_OPTIONS),
  cloudinsight: ruleCheck(CloudInsightRecordDto, RECORD_VALIDATOR_OPTIONS),
  guance: ruleCheck(GuanceRecordDto, RECORD_VALIDATOR_OPTIONS),
});

/** Deeper JSON is refused: nothing the APIs take needs it, and transforming it would overflow the stack. */
export const MAX_RECORD_DEPTH = 32;
/** Keys that could reach an object's prototype. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a Kafka record value (UTF-8 JSON) and validates it as the body of `target`'s API.
 * Never throws: `malformed` for a tombstone, bytes that are not UTF-8, or text that is not a JSON
 * object; `invalid` for a body that breaks the target's rules (docs/contract.md).
 */
export function parseRecordValue<T extends Target>(target: T, value: Buffer | null): ParseResult<RecordBody<T>> {
  const decoded = decodeJsonObject(value);
  return decoded.ok ? validateRecordBody(target, decoded.value) : decoded;
}

/** A decoded key or value, or why it cannot be (a dead letter's reason and error). */
export type Decoded<V> = { ok: true; value: V } | { ok: false; reason: 'malformed'; error: string };

/** A record's key or value bytes as UTF-8 text (a byte order mark is dropped); `malformed` when they are not UTF-8. */
export function decodeRecordText(bytes: Buffer, what: 'key' | 'value'): Decoded<string> {
  try {
    return { ok: true, value: utf8.decode(bytes) };
  } catch {
    return malformed(`the ${what} is not valid UTF-8`);
  }
}

/** A record value as JSON of any kind: `malformed` for a tombstone or a value that is not UTF-8 JSON. */
export function decodeRecordJson(value: Buffer | null): Decoded<unknown> {
  if (value === null) return malformed('the value is null (a tombstone), not a JSON body');
  const text = decodeRecordText(value, 'value');
  if (!text.ok) return text;
  try {
    return { ok: true, value: JSON.parse(text.value) };
  } catch (err) {
    const reason = err instanceof Error ? err.message.slice(0, 120) : 'unparseable';
    return malformed(`the value is not JSON (${reason})`);
  }
}

/** A record value as a JSON object: `malformed` otherwise. */
export function decodeJsonObject(value: Buffer | null): Decoded<Record<string, unknown>> {
  const decoded = decodeRecordJson(value);
  if (!decoded.ok) return decoded;
  const json = decoded.value;
  return isJsonObject(json)
    ? { ok: true, value: json }
    : malformed(`the value must be a JSON object, not ${jsonKind(json)}`);
}

/**
 * Validates an already decoded JSON value as the body of `target`'s API. The value becomes the body:
 * an instance of the target's DTO (see instantiate), nothing copied.
 */
export function validateRecordBody<T extends Target>(target: T, json: unknown): ParseResult<RecordBody<T>> {
  if (!Object.prototype.hasOwnProperty.call(RECORD_DTOS, target)) {
    return invalid(`no record contract for target ${JSON.stringify(String(target).slice(0, 40))}`);
  }
  const dto = RECORD_DTOS[target] as DtoClass<RecordBody<T>>;
  if (!isJsonObject(json)) return invalid(`the body must be a JSON object, not ${jsonKind(json)}`);
  const unsafe = unsafeStructure(json);
  if (unsafe) return invalid(unsafe);
  try {
    const body = instantiate(dto, json);
    if (RULE_CHECKS[target]?.(body)) return { ok: true, body };
    const errors = validateSync(body, RECORD_VALIDATOR_OPTIONS);
    return errors.length === 0 ? { ok: true, body } : invalid(summarize(validationMessages(errors)));
  } catch (err) {
    // A validator that throws is a bug; the record is still dead-lettered with a reason, not lost.
    return invalid(`validation failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** An object or array met on the walk, with how it was reached (its path is built only for a message). */
interface Visit {
  value: object;
  depth: number;
  parent: Visit | undefined;
  /** Its key in the parent object, or its index in the parent array. */
  at: string | number;
}

/** The first prototype-reaching key or too deep nesting, walked without recursion. */
function unsafeStructure(root: Record<string, unknown>): string | undefined {
  const stack: Visit[] = [{ value: root, depth: 1, parent: undefined, at: '' }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const { value, depth } = visit;
    if (depth > MAX_RECORD_DEPTH) return `${pathOf(visit)} is nested more than ${MAX_RECORD_DEPTH} levels deep`;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (typeof item === 'object' && item !== null)
          stack.push({ value: item, depth: depth + 1, parent: visit, at: i });
      }
      continue;
    }
    const object = value as Record<string, unknown>;
    for (const key in object) {
      if (UNSAFE_KEYS.has(key))
        return `${pathOf({ value: object, depth, parent: visit, at: key })} is not an allowed field name`;
      const child = object[key];
      if (typeof child === 'object' && child !== null)
        stack.push({ value: child, depth: depth + 1, parent: visit, at: key });
    }
  }
  return undefined;
}

/** `a.b[2].c` for a visit. */
function pathOf(visit: Visit): string {
  const parts: (string | number)[] = [];
  for (let v: Visit | undefined = visit; v?.parent !== undefined; v = v.parent) parts.push(v.at);
  let path = '';
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i];
    path = joinPath(path, typeof part === 'number' ? `[${part}]` : fieldName(part));
  }
  return path;
}

function jsonKind(json: unknown): string {
  if (json === null) return 'null';
  if (Array.isArray(json)) return 'an array';
  return `a ${typeof json}`;
}

// Errors travel in the x-dlq-error header, which has a byte limit.
function malformed(error: string): { ok: false; reason: 'malformed'; error: string } {
  return { ok: false, reason: 'malformed', error: truncateUtf8(error, DLQ_ERROR_MAX_BYTES) };
}

function invalid(error: string): { ok: false; reason: 'invalid'; error: string } {
  return { ok: false, reason: 'invalid', error: truncateUtf8(error, DLQ_ERROR_MAX_BYTES) };
}

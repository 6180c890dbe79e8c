import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { DLQ_ERROR_MAX_BYTES } from '../dlq';
import type { ParseResult } from '../send-result';
import type { Target } from '../targets';
import { truncateUtf8 } from '../truncate-utf8';
import { CloudInsightRecordDto } from './cloudinsight-record.dto';
import { DataStreamRecordDto } from './datastream-record.dto';
import { GuanceRecordDto } from './guance-record.dto';
import {
  fieldName,
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

export const RECORD_DTOS: { readonly [T in Target]: ClassConstructor<RecordBodies[T]> } = Object.freeze({
  datastream: DataStreamRecordDto,
  cloudinsight: CloudInsightRecordDto,
  guance: GuanceRecordDto,
});

/** Deeper JSON is refused: nothing the APIs take needs it, and transforming it would overflow the stack. */
export const MAX_RECORD_DEPTH = 32;
/** Keys that could reach an object's prototype; class-transformer would also drop them silently. */
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

/** Validates an already decoded JSON value as the body of `target`'s API. */
export function validateRecordBody<T extends Target>(target: T, json: unknown): ParseResult<RecordBody<T>> {
  if (!Object.prototype.hasOwnProperty.call(RECORD_DTOS, target)) {
    return invalid(`no record contract for target ${JSON.stringify(String(target).slice(0, 40))}`);
  }
  const dto = RECORD_DTOS[target] as ClassConstructor<RecordBody<T>>;
  if (!isJsonObject(json)) return invalid(`the body must be a JSON object, not ${jsonKind(json)}`);
  const unsafe = unsafeStructure(json);
  if (unsafe) return invalid(unsafe);
  try {
    const body = plainToInstance(dto, json);
    const errors = validateSync(body, RECORD_VALIDATOR_OPTIONS);
    return errors.length === 0 ? { ok: true, body } : invalid(summarize(validationMessages(errors)));
  } catch (err) {
    // A validator that throws is a bug; the record is still dead-lettered with a reason, not lost.
    return invalid(`validation failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The first prototype-reaching key or too deep nesting, walked without recursion. */
function unsafeStructure(root: Record<string, unknown>): string | undefined {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: root, path: '', depth: 1 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (depth > MAX_RECORD_DEPTH) return `${path} is nested more than ${MAX_RECORD_DEPTH} levels deep`;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (typeof item === 'object' && item !== null)
          stack.push({ value: item, path: `${path}[${i}]`, depth: depth + 1 });
      }
      continue;
    }
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) {
      const keyPath = joinPath(path, fieldName(key));
      if (UNSAFE_KEYS.has(key)) return `${keyPath} is not an allowed field name`;
      const child = object[key];
      if (typeof child === 'object' && child !== null) stack.push({ value: child, path: keyPath, depth: depth + 1 });
    }
  }
  return undefined;
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

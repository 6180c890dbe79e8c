import { DLQ_ERROR_MAX_BYTES } from './dlq';
import { decodeJsonObject, decodeRecordJson, decodeRecordText, validateRecordBody } from './dto/parse-record-value';
import type { RecordBody } from './dto/parse-record-value';
import type { InboundRecord } from './inbound-record';
import type { ParseResult } from './send-result';
import type { Target } from './targets';
import { truncateUtf8 } from './truncate-utf8';

/**
 * A route of BRIDGE_ROUTES: where the records of a topic go when they carry no route header, and
 * what of the API body the configuration gives (the record gives the rest).
 */
export type TopicRoute = { label: string } & (
  | { target: 'datastream'; datastreamTopic: string }
  | { target: 'cloudinsight'; cwKey: string }
  | { target: 'guance'; monitor?: string }
);

/**
 * The API body a plain record makes through its topic's route (docs/contract.md, "Routes for
 * existing topics"), validated like a record value that is the body itself. Data Stream: the
 * record's key (a null key is "") and value, as UTF-8 text; Cloud Insight: the value (JSON) as
 * `data`; Guance: the value (a JSON object) as the event. A failure names the route.
 */
export function routedRecordBody(route: TopicRoute, record: InboundRecord): ParseResult<RecordBody<Target>> {
  const result = buildBody(route, record);
  if (result.ok) return result;
  return { ...result, error: truncateUtf8(`routed by ${route.label}: ${result.error}`, DLQ_ERROR_MAX_BYTES) };
}

function buildBody(route: TopicRoute, record: InboundRecord): ParseResult<RecordBody<Target>> {
  switch (route.target) {
    case 'datastream': {
      const key = record.key === null ? { ok: true as const, value: '' } : decodeRecordText(record.key, 'key');
      if (!key.ok) return key;
      if (record.value === null) return tombstone();
      const value = decodeRecordText(record.value, 'value');
      if (!value.ok) return value;
      return validateRecordBody('datastream', { topic: route.datastreamTopic, key: key.value, value: value.value });
    }
    case 'cloudinsight': {
      const data = decodeRecordJson(record.value);
      return data.ok ? validateRecordBody('cloudinsight', { cw_key: route.cwKey, data: data.value }) : data;
    }
    case 'guance': {
      const event = decodeJsonObject(record.value);
      return event.ok ? validateRecordBody('guance', { event: event.value }) : event;
    }
  }
}

function tombstone(): ParseResult<never> {
  return { ok: false, reason: 'malformed', error: 'the value is null (a tombstone); Data Stream takes text' };
}

// Request body checks, as the APIs' own documentation describes them (Cloud Insight SendData and
// CreateIntegration, Data Stream Send message, Guance push-events; see docs/contract.md).
// Each returns why the body is refused, or undefined.

export const DATASTREAM_MAX_VALUE_BYTES = 1024 * 1024;
export const GUANCE_STATUSES = ['critical', 'error', 'warning', 'info', 'ok'];
const INTEGRATION_HEADER_NAME = /^[A-Za-z0-9_-]+$/;

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function checkDataStream(body: unknown): string | undefined {
  if (!isObject(body)) return 'Bad Request';
  for (const field of ['topic', 'key', 'value']) {
    if (typeof body[field] !== 'string') return 'Bad Request';
  }
  if (body.topic === '') return 'Bad Request';
  const { partition } = body;
  if (partition !== undefined && !(Number.isInteger(partition) && (partition as number) >= 0)) {
    return 'Bad Request, Invalid topic partition';
  }
  return undefined;
}

/** `data` is an object or an array of objects. A missing cw_key is not an error: see the server. */
export function checkSendData(body: unknown): string | undefined {
  if (!isObject(body)) return 'body must be a JSON object';
  const { data } = body;
  if (Array.isArray(data) ? !data.every(isObject) : !isObject(data))
    return 'data must be an object or an array of objects';
  return undefined;
}

export function checkPushEvent(body: unknown): string | undefined {
  if (!isObject(body) || !isObject(body.event)) return 'event is required and must be an object';
  const { status, date } = body.event;
  if (typeof status !== 'string' || !GUANCE_STATUSES.includes(status)) {
    return `event.status must be one of ${GUANCE_STATUSES.join(', ')}`;
  }
  if (date !== undefined && !Number.isInteger(date)) return 'event.date must be an integer (seconds)';
  if (body.extraData !== undefined && !isObject(body.extraData)) return 'extraData must be an object';
  return undefined;
}

export function checkCreateIntegration(body: unknown): string | undefined {
  if (!isObject(body)) return 'body must be a JSON object';
  if (typeof body.name !== 'string' || body.name === '') return 'name is required';
  if (typeof body.url !== 'string' || body.url === '') return 'url is required';
  if (typeof body.payload !== 'string') return 'payload is required';
  if (Buffer.byteLength(body.payload) > 15_000) return 'payload is longer than 15000 bytes';
  if (body.type !== 'OUT_GOING') return 'type must be OUT_GOING';
  if (body.headers === undefined) return undefined;
  if (!isObject(body.headers)) return 'headers must be an object';
  const headers = Object.entries(body.headers);
  if (headers.length > 10) return 'at most 10 headers';
  for (const [name, value] of headers) {
    if (!INTEGRATION_HEADER_NAME.test(name)) return `header name ${name} is not allowed`;
    if (typeof value !== 'string' || Buffer.byteLength(name) + Buffer.byteLength(value) > 100) {
      return `header ${name} is longer than 100 bytes or not a string`;
    }
  }
  return undefined;
}

// Response bodies of the emulated APIs, prebuilt where they never change. Strings, not Buffers:
// node:http then writes status line, headers and body in one write.

const json = (value: unknown): string => JSON.stringify(value);

export const DATASTREAM_OK = json({ status: '200', detail: 'OK' });
export const SEND_DATA_OK = json({ result: 'success', dataId: -1, message: '' });
export const GUANCE_OK = json({
  code: 200,
  content: { data: {}, error: 200, message: '', ok: true, reqCost: 0, traceId: 'emulator' },
  errorCode: '',
  message: '',
  success: true,
  traceId: 'emulator',
});

export const dataStreamError = (status: number, detail: string): string => json({ status: String(status), detail });

/** NCP API gateway error codes by HTTP status. */
const NCP_GATEWAY_CODES: Record<number, [string, string]> = {
  400: ['100', 'Bad Request Exception'],
  401: ['200', 'Authentication Failed'],
  403: ['210', 'Permission Denied'],
  404: ['300', 'Not Found Exception'],
  413: ['430', 'Request Entity Too Large'],
  429: ['420', 'Rate Limited'],
  500: ['900', 'Unexpected Error'],
  503: ['500', 'Endpoint Error'],
  504: ['510', 'Endpoint Timeout'],
};

/** `{"error":{"errorCode","message","details"}}` */
export function ncpError(status: number, details?: string): string {
  const [errorCode, message] = NCP_GATEWAY_CODES[status] ?? [String(status), 'Error'];
  return json({ error: { errorCode, message, ...(details ? { details } : {}) } });
}

export function guanceError(status: number, errorCode: string, message: string): string {
  return json({ code: status, content: null, errorCode, message, success: false, traceId: 'emulator' });
}

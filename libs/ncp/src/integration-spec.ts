/** The body of Cloud Insight CreateIntegration. */
export interface IntegrationSpec {
  name: string;
  /** Endpoint the events are sent to. */
  url: string;
  /** Call payload, JSON with `#{VARIABLE}` placeholders; 0 to 15,000 bytes. */
  payload: string;
  /** Call headers: at most 10, each name plus value at most 100 bytes, names of [A-Za-z0-9_-]. */
  headers?: Record<string, string>;
  type?: 'OUT_GOING';
}

/** One entry of the integration list. */
export interface IntegrationSummary {
  integrationId: string;
  name: string;
  type: string;
  url: string;
}

export const INTEGRATION_LIMITS = { payloadBytes: 15_000, headers: 10, headerBytes: 100 } as const;
const HEADER_NAME = /^[A-Za-z0-9_-]+$/;

/** Throws an Error naming the first documented limit the spec breaks; the API would refuse it. */
export function validateIntegrationSpec(spec: IntegrationSpec): void {
  const fail = (why: string): never => {
    throw new Error(`invalid integration "${spec.name}": ${why}`);
  };
  if (typeof spec.name !== 'string' || spec.name.trim() === '') fail('name is required');
  if (typeof spec.url !== 'string' || !URL.canParse(spec.url)) fail('url must be an absolute URL');
  if (typeof spec.payload !== 'string') fail('payload must be a string');
  const payloadBytes = Buffer.byteLength(spec.payload);
  if (payloadBytes > INTEGRATION_LIMITS.payloadBytes) {
    fail(`payload is ${payloadBytes} bytes, at most ${INTEGRATION_LIMITS.payloadBytes} allowed`);
  }
  if (spec.type !== undefined && spec.type !== 'OUT_GOING') fail('type must be OUT_GOING');
  const headers = Object.entries(spec.headers ?? {});
  if (headers.length > INTEGRATION_LIMITS.headers) {
    fail(`${headers.length} headers, at most ${INTEGRATION_LIMITS.headers} allowed`);
  }
  for (const [name, value] of headers) {
    if (!HEADER_NAME.test(name)) fail(`header name "${name}" may hold only letters, digits, "-" and "_"`);
    if (typeof value !== 'string') fail(`header "${name}" must have a string value`);
    const bytes = Buffer.byteLength(name) + Buffer.byteLength(value);
    if (bytes > INTEGRATION_LIMITS.headerBytes) {
      fail(`header "${name}" is ${bytes} bytes with its value, at most ${INTEGRATION_LIMITS.headerBytes} allowed`);
    }
  }
}

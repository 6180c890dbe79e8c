import { createHmac } from 'node:crypto';
import type { Clock } from '@app/http';

/** Sub account keys (Data Stream refuses main-account keys). */
export interface NcpCredentials {
  accessKey: string;
  secretKey: string;
}

export interface NcpAuthHeaders {
  'x-ncp-apigw-timestamp': string;
  'x-ncp-iam-access-key': string;
  'x-ncp-apigw-signature-v2': string;
}

/** NCP API gateway signature v2: HMAC-SHA256 over method, path with query, timestamp and access key. */
export class SignatureV2 {
  readonly #accessKey: string;
  // A private field: the secret never shows when the object is logged or serialised.
  readonly #secretKey: string;
  // Requests within one millisecond share a signature: at thousands per second this saves HMACs.
  #last?: { input: string; headers: NcpAuthHeaders };

  constructor(
    credentials: NcpCredentials,
    private readonly clock: Clock = Date.now,
  ) {
    this.#accessKey = credentials.accessKey;
    this.#secretKey = credentials.secretKey;
  }

  /** `{METHOD} {path?query}\n{timestamp ms}\n{access key}`, base64 of its HMAC-SHA256. */
  static sign(secretKey: string, method: string, pathWithQuery: string, timestamp: string, accessKey: string): string {
    return createHmac('sha256', secretKey)
      .update(`${method.toUpperCase()} ${pathWithQuery}\n${timestamp}\n${accessKey}`)
      .digest('base64');
  }

  /** The three headers for one request, stamped with the clock's current time. */
  headers(method: string, pathWithQuery: string): NcpAuthHeaders {
    const timestamp = String(this.clock());
    const input = `${method} ${pathWithQuery}\n${timestamp}`;
    if (this.#last?.input !== input) {
      const signature = SignatureV2.sign(this.#secretKey, method, pathWithQuery, timestamp, this.#accessKey);
      this.#last = {
        input,
        headers: {
          'x-ncp-apigw-timestamp': timestamp,
          'x-ncp-iam-access-key': this.#accessKey,
          'x-ncp-apigw-signature-v2': signature,
        },
      };
    }
    return { ...this.#last.headers };
  }
}

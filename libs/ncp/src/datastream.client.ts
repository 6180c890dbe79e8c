import type { SendResult } from '@app/contracts';
import { failureResult } from '@app/http';
import { NcpClientOptions, NcpGateway } from './ncp-gateway';

export const DATASTREAM_PRODUCE_PATH = '/api/produce';

/** One Data Stream message, the body of Send message. */
export interface DataStreamMessage {
  topic: string;
  key: string;
  value: string;
  partition?: number;
}

export type DataStreamClientOptions = NcpClientOptions;

/** NAVER Cloud Data Stream, Send message: one message per call (the API has no batch form). */
export class DataStreamClient {
  private readonly gateway: NcpGateway;

  constructor(opts: DataStreamClientOptions) {
    this.gateway = new NcpGateway(opts);
  }

  /** `headers`: more request headers (the trace context). */
  async produce(
    message: DataStreamMessage,
    signal?: AbortSignal,
    headers?: Record<string, string>,
  ): Promise<SendResult> {
    try {
      const answer = await this.gateway.request('POST', DATASTREAM_PRODUCE_PATH, { body: message, signal, headers });
      return this.gateway.result(answer);
    } catch (err) {
      return failureResult(err);
    }
  }

  close(): Promise<void> {
    return this.gateway.close();
  }
}

import type { SendResult } from '@app/contracts';
import { describeFailure, ExchangeError, failureResult } from '@app/http';
import { IntegrationSpec, IntegrationSummary, validateIntegrationSpec } from './integration-spec';
import { NcpClientOptions, NcpGateway, NcpRequest } from './ncp-gateway';

export const CLOUDINSIGHT_SEND_DATA_PATH = '/cw_collector/real/data';
export const CLOUDINSIGHT_CREATE_INTEGRATION_PATH = '/cw_fea/real/cw/api/integration/create';
/**
 * Not in the API documents we build on: this path, answering an array of IntegrationSummary, is
 * our assumption, and what the emulator serves. Provisioning uses it to stay idempotent by name,
 * since CreateIntegration itself does not enforce unique names.
 */
export const CLOUDINSIGHT_LIST_INTEGRATIONS_PATH = '/cw_fea/real/cw/api/integration';

export type CloudInsightRecord = Record<string, string | number>;

/** A provisioning call that failed; `status` is the HTTP status when the API answered. */
export class ProvisioningError extends Error {
  override readonly name = 'ProvisioningError';

  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface CloudInsightClientOptions extends NcpClientOptions {
  /** Sent as X-NCP-REGION_NO (7 for Singapore). */
  regionNo?: string;
}

/** NAVER Cloud Insight: SendData for records, CreateIntegration and the list for provisioning. */
export class CloudInsightClient {
  private readonly gateway: NcpGateway;
  private readonly regionHeaders: Record<string, string>;

  constructor(opts: CloudInsightClientOptions) {
    this.gateway = new NcpGateway(opts);
    this.regionHeaders = opts.regionNo ? { 'X-NCP-REGION_NO': opts.regionNo } : {};
  }

  /** Many records of one product in one call: `{"cw_key": cwKey, "data": [...]}`; `headers`: more request headers (the trace context). */
  async sendData(
    cwKey: string,
    data: CloudInsightRecord[],
    signal?: AbortSignal,
    headers?: Record<string, string>,
  ): Promise<SendResult> {
    try {
      const answer = await this.gateway.request('POST', CLOUDINSIGHT_SEND_DATA_PATH, {
        body: { cw_key: cwKey, data },
        headers: headers ? { ...headers, ...this.regionHeaders } : this.regionHeaders,
        signal,
      });
      return this.gateway.result(answer);
    } catch (err) {
      return failureResult(err);
    }
  }

  /** Creates an event integration and resolves with its id. Checks the documented limits first. */
  async createIntegration(spec: IntegrationSpec, dmnCd = 'PUB'): Promise<string> {
    validateIntegrationSpec(spec);
    const body = { ...spec, type: spec.type ?? 'OUT_GOING', headers: spec.headers ?? {} };
    const answer = await this.call('CreateIntegration', 'POST', CLOUDINSIGHT_CREATE_INTEGRATION_PATH, {
      body,
      headers: { ...this.regionHeaders, 'x-ncp-dmn_cd': dmnCd },
    });
    // The documented answer is a bare JSON string; accept `{"integrationId": ...}` as well.
    const id = typeof answer === 'string' ? answer : (answer as { integrationId?: unknown } | null)?.integrationId;
    if (typeof id !== 'string' || id === '') throw new Error('CreateIntegration answered without an integration id');
    return id;
  }

  /** The integrations that exist, so provisioning can skip names already there. */
  async listIntegrations(): Promise<IntegrationSummary[]> {
    const answer = await this.call('ListIntegrations', 'GET', CLOUDINSIGHT_LIST_INTEGRATIONS_PATH, {
      headers: this.regionHeaders,
    });
    if (!Array.isArray(answer)) throw new Error('ListIntegrations answered something other than an array');
    return answer as IntegrationSummary[];
  }

  close(): Promise<void> {
    return this.gateway.close();
  }

  /** A provisioning call: the parsed JSON answer, or a ProvisioningError that says what went wrong. */
  private async call(what: string, method: 'GET' | 'POST', path: string, req: NcpRequest): Promise<unknown> {
    let answer;
    try {
      answer = await this.gateway.request(method, path, { ...req, keepBytes: 16 * 1024 * 1024 });
    } catch (err) {
      if (err instanceof ExchangeError) throw new ProvisioningError(`${what} failed: ${describeFailure(err)}`);
      throw err;
    }
    const result = this.gateway.result(answer);
    if (result.outcome !== 'delivered') throw new ProvisioningError(`${what} failed: ${result.error}`, answer.status);
    try {
      return JSON.parse(answer.body.toString('utf8'));
    } catch {
      throw new Error(`${what} answered HTTP ${answer.status} with a body that is not JSON`);
    }
  }
}

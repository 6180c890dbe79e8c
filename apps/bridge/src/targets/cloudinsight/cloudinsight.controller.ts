import { Controller, OnApplicationShutdown } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { CloudInsightRecordDto, SendResult } from '@app/contracts';
import { CloudInsightClient } from '@app/ncp';
import { bindRecords, recordBody, type DeliveryCall, type RecordBindingFactory } from '../target-binding';

/**
 * A record's value is a SendData body (or its topic's route makes one, with the value as `data`).
 * Records of one cw_key share a call (SendData takes `data` as an array): up to 100 records or
 * 256 KiB, waiting at most 1 ms for company: records come a fetch at a time, and the partitions of
 * one fetch are taken within that.
 */
export const cloudInsightRecords: RecordBindingFactory<CloudInsightRecordDto> = (config) => ({
  parse: (record, byTopic) => recordBody('cloudinsight', config, record, byTopic),
  coalesce: {
    key: (body) => body.cw_key,
    sizeOf: (body) => JSON.stringify(body.data).length,
    maxRecords: 100,
    maxBytes: 256 * 1024,
    lingerMs: 1,
  },
});

@Controller()
export class CloudInsightController implements OnApplicationShutdown {
  constructor(private readonly client: CloudInsightClient) {}

  /** Several bodies of one cw_key: their `data` in one array. */
  @EventPattern('cloudinsight', bindRecords(cloudInsightRecords))
  deliver(@Payload() { bodies, signal, headers }: DeliveryCall<CloudInsightRecordDto>): Promise<SendResult> {
    const data = bodies.flatMap((b) => (Array.isArray(b.data) ? b.data : [b.data]));
    return this.client.sendData(bodies[0].cw_key, data, signal, headers);
  }

  /** After the transport drained (beforeApplicationShutdown): no call is under way. */
  onApplicationShutdown(): Promise<void> {
    return this.client.close();
  }
}

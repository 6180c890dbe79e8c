import { Controller, OnApplicationShutdown } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { DataStreamRecordDto, SendResult } from '@app/contracts';
import { DataStreamClient } from '@app/ncp';
import { bindRecords, recordBody, type DeliveryCall, type RecordBindingFactory } from '../target-binding';

/**
 * A record's value is the body of Send message (or its topic's route makes one of its key and
 * value); one message per call (the API has no batch form).
 */
export const dataStreamRecords: RecordBindingFactory<DataStreamRecordDto> = (config) => ({
  parse: (record, byTopic) => recordBody('datastream', config, record, byTopic),
});

@Controller()
export class DataStreamController implements OnApplicationShutdown {
  constructor(private readonly client: DataStreamClient) {}

  @EventPattern('datastream', bindRecords(dataStreamRecords))
  deliver(@Payload() { bodies, signal, headers }: DeliveryCall<DataStreamRecordDto>): Promise<SendResult> {
    return this.client.produce(bodies[0], signal, headers);
  }

  /** After the transport drained (beforeApplicationShutdown): no call is under way. */
  onApplicationShutdown(): Promise<void> {
    return this.client.close();
  }
}

import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { BRIDGE_CONFIG, BridgeConfig } from '@app/config';
import type { CloudInsightRecordDto, DataStreamRecordDto, SendResult } from '@app/contracts';
import { ApiClients } from './api-clients.providers';
import type { DeliveryCall, GuanceDelivery } from './target-senders';

/**
 * One handler per target: the route header's value is the pattern. Each receives validated
 * bodies (one, or several Cloud Insight bodies of one cw_key) and answers with the classified
 * outcome; the transport's pipeline decides about retries and dead-letters.
 */
@Controller()
export class DeliveryController {
  constructor(
    @Inject(BRIDGE_CONFIG) private readonly config: BridgeConfig,
    private readonly clients: ApiClients,
  ) {}

  @EventPattern('datastream')
  datastream(@Payload() { bodies, signal }: DeliveryCall<DataStreamRecordDto>): Promise<SendResult> {
    return this.clients.dataStream!.produce(bodies[0], signal);
  }

  @EventPattern('cloudinsight')
  cloudinsight(@Payload() { bodies, signal }: DeliveryCall<CloudInsightRecordDto>): Promise<SendResult> {
    const data = bodies.flatMap((b) => (Array.isArray(b.data) ? b.data : [b.data]));
    return this.clients.cloudInsight!.sendData(bodies[0].cw_key, data, signal);
  }

  @EventPattern('guance')
  guanceEvent(@Payload() { bodies, signal }: DeliveryCall<GuanceDelivery>): Promise<SendResult> {
    const [{ body, monitor }] = bodies;
    const guance = this.config.guance!;
    const target = monitor === undefined ? guance.defaultMonitor : guance.monitors[monitor];
    return this.clients.guance!.pushEvent(body, target, signal);
  }
}

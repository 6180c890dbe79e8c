import { Controller, OnApplicationShutdown } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { SendResult } from '@app/contracts';
import { GuanceClient } from '@app/guance';
import { bindRecords, type DeliveryCall } from '../target-binding';
import { guanceRecords, type GuanceDelivery } from './guance.binding';

@Controller()
export class GuanceController implements OnApplicationShutdown {
  constructor(private readonly client: GuanceClient) {}

  /** One event per call, to the monitor its record picked. */
  @EventPattern('guance', bindRecords(guanceRecords))
  deliver(@Payload() { bodies, signal, headers }: DeliveryCall<GuanceDelivery>): Promise<SendResult> {
    const [{ body, monitor }] = bodies;
    return this.client.pushEvent(body, monitor, signal, headers);
  }

  /** After the transport drained (beforeApplicationShutdown): no call is under way. */
  onApplicationShutdown(): Promise<void> {
    return this.client.close();
  }
}

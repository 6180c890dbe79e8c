import { Controller, Get, Header, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { Registry } from 'prom-client';
import { BridgeMetrics } from './bridge-metrics';
import { ConsumerStates } from './consumer-states';

@Controller()
export class OpsController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly states: ConsumerStates,
    private readonly metrics: BridgeMetrics,
  ) {}

  /** 200 while the process is responsive; 503 once a consumer crashed for good (restart the pod). */
  @Get('health/live')
  live(): { status: 'ok' } {
    const crashed = this.states.crashed();
    if (crashed.length) throw new ServiceUnavailableException({ status: 'error', crashed });
    return { status: 'ok' };
  }

  /** 200 once every configured target's consumer joined its group and holds a connection. */
  @Get('health/ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => {
        const check = this.indicator.check('consumers');
        const reason = this.states.notReadyReason();
        return reason ? check.down(reason) : check.up();
      },
    ]);
  }

  @Get('metrics')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  prometheus(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

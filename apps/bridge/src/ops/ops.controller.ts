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

  /**
   * 200 while the process answers; 503 only for what a restart of the process fixes: a consumer
   * the bridge has failed to restart by itself for too long (docs/operations.md, "Health").
   */
  @Get('health/live')
  live(): { status: 'ok' } {
    const restartDue = this.states.restartDue();
    if (restartDue.length) throw new ServiceUnavailableException({ status: 'error', restartDue });
    return { status: 'ok' };
  }

  /**
   * 200 when every target's consumer is in its group, its API answers, nothing is stalled and
   * dead letters can be written; else 503 naming each target and why.
   */
  @Get('health/ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => {
        const check = this.indicator.check('targets');
        const reasons = this.states.notReadyReason();
        return reasons ? check.down(reasons) : check.up();
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

import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload } from '@nestjs/microservices';
import { SignatureV2 } from '@app/ncp';
import { request } from 'undici';
import { BENCH_KEYS } from '../lib/emulator';

const TOPIC = process.env.NAIVE_TOPIC!;
const API = process.env.EMULATOR_URL!;
const signer = new SignatureV2(BENCH_KEYS.ncp);
const { secret, subUri } = BENCH_KEYS.monitor;

/** The consumer teams write by hand: one awaited HTTP call per message, in the handler. */
@Controller()
export class NaiveController {
  @EventPattern(TOPIC)
  async handle(@Payload() body: Record<string, unknown>, @Ctx() ctx: KafkaContext): Promise<void> {
    const target = ctx.getMessage().headers?.['x-bridge-target']?.toString();
    let path: string;
    let headers: Record<string, string>;
    if (target === 'datastream' || target === 'cloudinsight') {
      path = target === 'datastream' ? '/api/produce' : '/cw_collector/real/data';
      headers = { ...signer.headers('POST', path), 'content-type': 'application/json' };
    } else if (target === 'guance') {
      path = `/api/v1/push-events/${secret}/${subUri}`;
      headers = { 'DF-API-KEY': BENCH_KEYS.guanceApiKey, 'content-type': 'application/json' };
    } else {
      return; // not ours
    }
    const res = await request(`${API}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    await res.body.text();
    if (res.statusCode >= 300) throw new Error(`${target} answered ${res.statusCode}`);
  }
}

import type { NestApplicationOptions } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';

/** The ops endpoints take no request body: none is parsed, so none can fail to parse. */
export const OPS_HTTP_OPTIONS: NestApplicationOptions = { bodyParser: false };

/** No framework banner on the ops port. */
export function hardenOpsHttp(app: NestExpressApplication): void {
  app.disable('x-powered-by');
}

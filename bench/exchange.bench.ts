// CPU per request of libs/http exchange(): REQUESTS POSTs, 64 at a time over one pool, every call
// carrying the same shared abort signal (as a TargetPipeline passes it), against a bare node:http
// server in another process. Run: npx ts-node -r tsconfig-paths/register --transpile-only
// bench/exchange.bench.ts [module exporting createPool and exchange, default libs/http/src/index]
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const REQUESTS = Number(process.env.REQUESTS ?? 40_000);
const CONCURRENCY = 64;
const SERVER = `
  const server = require('node:http').createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"code":200}'));
  });
  server.listen(0, '127.0.0.1', () => process.send(server.address().port));
`;

async function main(): Promise<void> {
  const file = resolve(process.argv[2] ?? 'libs/http/src/index.ts');
  const { createPool, exchange } = (await import(file)) as typeof import('../libs/http/src');
  const server = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((ok) => server.once('message', (p) => ok(p as number)));
  const origin = `http://127.0.0.1:${port}`;
  const pool = createPool(origin, { connections: CONCURRENCY, timeoutMs: 10_000 });
  const signal = new AbortController().signal;
  const body = JSON.stringify({ topic: 't', key: 'k', value: 'x'.repeat(300) });
  const run = async (count: number) => {
    let next = 0;
    const worker = async () => {
      while (next++ < count) {
        const answer = await exchange(pool, {
          origin,
          method: 'POST',
          path: '/api/produce',
          headers: { 'content-type': 'application/json' },
          body,
          timeoutMs: 10_000,
          signal,
          secrets: [],
        });
        if (answer.status !== 200) throw new Error(`HTTP ${answer.status}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  };
  await run(5_000); // warm-up
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await run(REQUESTS);
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  const cpuUs = (used.user + used.system) / REQUESTS;
  console.log(
    `${file.split('/').slice(-2).join('/')}: ${REQUESTS} requests, ${Math.round(REQUESTS / wall)}/s, ${cpuUs.toFixed(1)} µs CPU per request`,
  );
  await pool.destroy();
  server.kill();
}

void main();

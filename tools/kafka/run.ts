// `npm run kafka`: a local broker for manual work; Ctrl-C stops it and removes its data.
import { startKafka } from './broker';

void (async () => {
  const kafka = await startKafka({ log: (l) => console.log(l) });
  console.log(`Kafka is up: KAFKA_BROKERS=${kafka.brokers} (data in ${kafka.dataDir}); Ctrl-C stops it`);
  const alive = setInterval(() => undefined, 60_000); // the broker lives as long as this process
  const stop = () => {
    clearInterval(alive);
    void kafka.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
})();

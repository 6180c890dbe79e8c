// The Apache Kafka Java producer, driven by a script: the compatibility suite writes its records with
// the real Java client (the broker's own jars), not with kafkajs.
//
//   java -cp '<libs>/*' Producer.java bootstrap.servers=HOST:PORT [compression.type=snappy] [transactional.id=ID] ...
//
// Arguments are producer configs. Standard input holds one JSON step per line:
//   {"op":"send","topic":"t","partition":0,"key":B64|null,"value":B64|null,"headers":[["name",B64|null],...]}
//   {"op":"begin"} {"op":"commit"} {"op":"abort"}   (transactions; needs transactional.id)
//   {"op":"flush"} {"op":"sleep","ms":1000} {"op":"say","text":"..."}   (say prints a line to stdout)
//   {"op":"config","props":{"compression.type":"lz4"}}   (flushes, closes, and goes on with a new producer)
// Every send is acknowledged before the program exits 0; any failure exits 1 with the cause on stderr.
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class Producer {
  private static byte[] bytes(JsonNode node) {
    return node == null || node.isNull() ? null : Base64.getDecoder().decode(node.asText());
  }

  private static KafkaProducer<byte[], byte[]> open(Properties props) {
    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props);
    if (props.containsKey("transactional.id")) producer.initTransactions();
    return producer;
  }

  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.put("key.serializer", ByteArraySerializer.class.getName());
    props.put("value.serializer", ByteArraySerializer.class.getName());
    props.put("linger.ms", "20");
    for (String arg : args) {
      int eq = arg.indexOf('=');
      props.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    ObjectMapper json = new ObjectMapper();
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    KafkaProducer<byte[], byte[]> producer = open(props);
    try {
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null; ) {
        if (line.isBlank()) continue;
        JsonNode step = json.readTree(line);
        switch (step.get("op").asText()) {
          case "send" -> {
            RecordHeaders headers = new RecordHeaders();
            for (JsonNode h : step.path("headers")) headers.add(new RecordHeader(h.get(0).asText(), bytes(h.get(1))));
            Integer partition = step.hasNonNull("partition") ? step.get("partition").asInt() : null;
            sent.add(producer.send(new ProducerRecord<>(step.get("topic").asText(), partition, null,
                bytes(step.get("key")), bytes(step.get("value")), headers)));
          }
          case "begin" -> producer.beginTransaction();
          case "commit" -> producer.commitTransaction();
          case "abort" -> producer.abortTransaction();
          case "flush" -> producer.flush();
          case "sleep" -> Thread.sleep(step.get("ms").asLong());
          case "say" -> {
            System.out.println(step.get("text").asText());
            System.out.flush();
          }
          case "config" -> {
            producer.close();
            step.get("props").fields().forEachRemaining(e -> props.put(e.getKey(), e.getValue().asText()));
            producer = open(props);
          }
          default -> throw new IllegalArgumentException("unknown op: " + line);
        }
      }
      producer.flush();
      for (Future<RecordMetadata> f : sent) f.get();
    } finally {
      producer.close();
    }
    System.out.println("done " + sent.size());
  }
}

package io.synkit.ops.bench;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The reference: the same phases as the SET ({@link SetBench#measure}) against Kafka, records of
 * 200 B produced with {@code acks=all} to a topic of one partition replicated on 3 brokers with
 * {@code min.insync.replicas=2}; once with Kafka's default flushing (the page cache; the broker
 * never fsyncs on the produce path) and once with {@code flush.messages=1} (an fsync per append,
 * as a synkit replica's every batch). Each topic gets its own warm-up: cold brokers come out 2-3
 * times slower.
 */
final class KafkaBench {

    static final String DEFAULT_FLUSHING = "Kafka default flushing";
    static final String FLUSH_EACH = "Kafka flush.messages=1";
    private static final byte[] RECORD = new byte[200];

    private KafkaBench() {
    }

    static List<Measurement> run(KafkaBrokers brokers, SetBench.Settings settings, ProgressLine progress) throws IOException, InterruptedException {
        progress.step("Kafka: creating topics", 0);
        brokers.createTopic("bench-default", Map.of());
        brokers.createTopic("bench-flush", Map.of("flush.messages", "1"));
        List<Measurement> results = new java.util.ArrayList<>(measureTopic(brokers, "bench-default", DEFAULT_FLUSHING, settings, progress));
        results.addAll(measureTopic(brokers, "bench-flush", FLUSH_EACH, settings, progress));
        return results;
    }

    private static List<Measurement> measureTopic(KafkaBrokers brokers, String topic, String system, SetBench.Settings settings, ProgressLine progress)
            throws InterruptedException {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(brokers.bootstrap()))) {
            LoadGenerator load = new LoadGenerator(() -> {
                CompletableFuture<Void> acked = new CompletableFuture<>();
                producer.send(new ProducerRecord<>(topic, RECORD), (metadata, failure) -> {
                    if (failure == null) {
                        acked.complete(null);
                    } else {
                        acked.completeExceptionally(failure);
                    }
                });
                return acked;
            }, progress);
            return SetBench.measure(system, "record", load, new ProcessCosts(brokers.processes()), settings, progress);
        }
    }

    /** Kafka's producer defaults (batching: {@code linger.ms} 5, 16 KiB batches) but for what the comparison fixes. */
    private static Properties producerConfig(String bootstrap) {
        Properties config = new Properties();
        config.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        config.setProperty(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        config.setProperty(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.setProperty(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.setProperty(ProducerConfig.CLIENT_ID_CONFIG, "ops-bench");
        return config;
    }
}

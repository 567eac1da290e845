import Testing

@testable import TriageCorrelation

/// How service spellings from logs, paths and spans are matched.
@Suite struct ServiceNameTests {
  @Test(arguments: [
    ("worker-1", "worker"), ("tickets_worker_2", "tickets_worker"), ("scan-worker-6f9c7d8b5-x7k2p", "scan-worker"),
    ("worker-7d9f8b6c5-x2x9k", "worker"), ("valkey-0", "valkey"), ("postgresql-16-main", "postgres-16-main"),
    ("api-server", "api-server"), ("node-exporter-abcde", "node-exporter-abcde"), ("video-worker", "video-worker"),
  ])
  func normalisedNames(name: String, expected: String) {
    #expect(ServiceName.normalized(name) == expected)
  }

  @Test func dependenciesMatchTheServersTheyName() {
    #expect(ServiceName.matches("postgres", "postgresql-16-main"))
    #expect(ServiceName.matches("rabbitmq", "rabbitmq-server"))
    #expect(ServiceName.matches("worker", "tickets-worker-1"))
    #expect(ServiceName.matches("scan-worker", "scan-worker-7d4b9c6f5-q2w8r"))
    #expect(!ServiceName.matches("redis", "rediscover"))
    #expect(!ServiceName.matches("postgres", "postgres-exporter") && !ServiceName.matches("api", "api-gateway"))
    #expect(ServiceName.matches("redis", "redis-primary"))
    #expect(!ServiceName.matches("api", "worker"))
  }
}

/// Kubelet's pod references.
@Suite struct PodReferenceTests {
  @Test func nameAndUIDAreReadFromKubeletsReference() {
    let reference = "scan-worker-6f9c7d8b5-x7k2p_scanning(5d0c8a31-7f2e-4b9a-a6c1-93e2f4d81b07)"
    #expect(PodReference.name(reference) == "scan-worker-6f9c7d8b5-x7k2p")
    #expect(PodReference.uid(reference) == "5d0c8a31_7f2e_4b9a_a6c1_93e2f4d81b07")
    #expect(PodReference.name("worker-1") == "worker-1" && PodReference.uid("worker-1") == nil)
  }
}

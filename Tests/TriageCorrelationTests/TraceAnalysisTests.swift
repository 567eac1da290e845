import Testing
import TriageAssembly
import TriageClassification
@testable import TriageCorrelation
import TriageReporting
import TriageInput
import TriageSpans
import TriageTestSupport
import TriageUnwrapping

/// Reads paths as `triage traces` does (logs and dumps, classified) and analyses the traces.
struct Analysed {
  let traces: [TraceAnalysis]
  let store: SpanStore
  let findings: FindingStore
  let logRecords: Int
  let services: ServiceTable

  init(_ paths: [String], classify: Bool = true) throws {
    let reader = EventReader()
    let classifier = classify ? Classifier(catalog: try PatternCatalog.load(userDirectories: [])) : nil
    var sink = ClassifyingSink(inner: TraceLogIndex(inner: Discard(), services: reader.services), classifier: classifier)
    reader.read(paths: paths, into: &sink)
    let services = reader.services
    self.services = services
    traces = TraceAnalyzer().analyze(
      .init(store: reader.spans, evidence: sink.inner.traces, findings: sink.inner.findings, serviceName: { services.name($0) }))
    store = reader.spans
    findings = sink.inner.findings
    logRecords = sink.inner.inner.otlpRecords
  }

  func trace(_ id: String) -> TraceAnalysis? { traces.first { $0.traceID.description == id } }

  /// Writes `files` (name → text) to a new directory and analyses it.
  static func files(_ files: [String: String], classify: Bool = true) throws -> Analysed {
    let directory = RepositoryPaths.temporaryDirectory()
    for (name, text) in files {
      let file = fopen(directory + "/" + name, "w")!
      fputs(text, file)
      fclose(file)
    }
    return try Analysed([directory], classify: classify)
  }
}

struct Discard: ClassifiedEventSink {
  var otlpRecords = 0
  mutating func begin(source: TextSource) {}
  mutating func consume(_ event: Event, findings: [Finding]) { if event.layers.contains(.otlpLogs) { otlpRecords += 1 } }
  mutating func end(source: TextSource, statistics: SourceStatistics) {}
}

@Suite struct TraceAnalysisTests {
  static let corpus = RepositoryPaths.shared + "/corpus/spans/"

  /// file, spans read, spans kept, trace id, roots, orphans, status.
  static let expectations: [(String, Int, Int, String, Int, Int, TraceStatus)] = [
    ("jaeger__ui_01.json", 5, 5, "00000000000000000000000000000001", 2, 1, .error),
    ("jaeger__otlp2jaeger-out.json", 2, 1, "83a9efd15c1c98a977e0711cc93ee28b", 0, 1, .incomplete),
    ("jaeger__otlp2jaeger-in.json", 2, 1, "83a9efd15c1c98a977e0711cc93ee28b", 0, 1, .incomplete),
    ("jaeger__GetTrace.json", 1, 1, "00000000000000000000000000000001", 1, 0, .error),
    ("jaeger__trace_success.json", 2, 2, "00000000000000002be38093ead7a083", 0, 1, .incomplete),
    ("jaeger__domain_01.json", 5, 5, "00000000000000000000000000000001", 2, 1, .error),
    ("jaeger-ui__otlp2jaeger-multi-in.json.txt", 4, 4, "c620759e5d60fafb8ee0922b30e06bc6", 1, 0, .ok),
    ("jaeger-ui__oltp2jaeger-multi-out.json", 4, 4, "c620759e5d60fafb8ee0922b30e06bc6", 1, 0, .ok),
    ("jaeger-ui__spanAmongEachOtherGroupedAndSpans.json", 17, 17, "0df84e36b9e2ee3815d07f0867a5be1f", 1, 0, .ok),
    ("opentelemetry-proto__trace.json", 1, 1, "5b8efff798038103d269b633813fc60c", 0, 1, .incomplete),
    ("zipkin__skew.json", 4, 4, "00000000000000001e223ff1f80f1c69", 1, 0, .ok),
    ("zipkin__yelp.json", 16, 16, "0000000000000000a03ee8fff1dcd9b9", 1, 0, .ok),
    ("zipkin__messaging.json", 4, 4, "5aab74dbb904746bb33447baae403ed6", 1, 0, .ok),
  ]

  @Test(arguments: expectations)
  func readsEveryCorpusDump(_ case: (String, Int, Int, String, Int, Int, TraceStatus)) throws {
    let (file, read, kept, traceID, roots, orphans, status) = `case`
    let analysed = try Analysed([Self.corpus + file], classify: false)
    #expect(analysed.store.spansRead == read, "\(file)")
    #expect(analysed.store.spans.count == kept, "\(file)")
    #expect(analysed.traces.map(\.traceID.description) == [traceID], "\(file)")
    let trace = try #require(analysed.traces.first)
    #expect(trace.rootCount == roots && trace.orphanCount == orphans, "\(file): roots \(trace.rootCount), orphans \(trace.orphanCount)")
    #expect(trace.status == status, "\(file): \(trace.status) \(trace.reasons)")
  }

  @Test func everyCorpusFileIsCovered() {
    let named = Set(Self.expectations.map(\.0) + ["jaeger__FindTraceSummaries.json", "opentelemetry-proto__logs.json"])
    let present = RepositoryPaths.list(Self.corpus).filter { $0.hasSuffix(".json") || $0.hasSuffix(".json.txt") }
    #expect(Set(present) == named)
  }

  @Test func summariesAndOTLPLogsAreReadToo() throws {
    let summary = try Analysed([Self.corpus + "jaeger__FindTraceSummaries.json"], classify: false)
    let trace = try #require(summary.traces.first)
    #expect(trace.isSummaryOnly && trace.spanCount == 2 && trace.errorCount == 1 && trace.status == .error)
    #expect(trace.root == SpanLabel(service: "frontend", name: "HTTP GET /"))

    let logs = try Analysed([Self.corpus + "opentelemetry-proto__logs.json"], classify: false)
    #expect(logs.logRecords == 1)
    #expect(logs.traces.map(\.traceID.description) == ["5b8efff798038103d269b633813fc60c"])
    #expect(logs.traces.first?.logEvents == 1 && logs.traces.first?.spanCount == 0)
  }

  /// Tests/Fixtures/spans/README.md: one trace in three formats.
  @Test func oneTraceInJaegerOTLPAndZipkinGivesTheSameFacts() throws {
    var facts: [String] = []
    for format in ["jaeger", "otlp", "zipkin"] {
      let analysed = try Analysed([RepositoryPaths.root + "/Tests/Fixtures/spans/same-trace.\(format).json"], classify: false)
      let trace = try #require(analysed.traces.first)
      #expect(analysed.traces.count == 1)
      facts.append(
        "\(trace.traceID) \(trace.spanCount) spans \(trace.errorCount) error(s) \(trace.status) roots \(trace.rootCount) orphans \(trace.orphanCount) "
          + "services \(trace.services) root \(trace.root?.description ?? "-") last \(trace.lastSpan?.description ?? "-")")
    }
    #expect(
      facts[0]
        == "4bf92f3577b34da6a3ce929d0e0e4736 7 spans 1 error(s) error roots 1 orphans 0 services [\"frontend\", \"api\", \"worker\"] root frontend/GET /checkout last worker/SELECT orders"
    )
    #expect(facts[1] == facts[0])
    #expect(facts[2] == facts[0])
  }
}

/// Health verdicts that must not fire on async work, untraced backends or clock skew, and
/// must fire on the real signs (trace-formats.md §6.3, §7).
@Suite struct TraceHealthTests {
  func analyse(_ dump: String) throws -> [TraceAnalysis] {
    try Analysed.files(["dump.json": dump], classify: false).traces
  }

  static func otlp(_ service: String, _ spans: String) -> String {
    #"{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":""# + service + #""}}]},"scopeSpans":[{"spans":["# + spans + "]}]}"
  }

  static func span(_ trace: String, _ id: String, parent: String = "", _ name: String, kind: Int, start: Int, end: Int? = 1_700_000_009_000_000_000, extra: String = "") -> String {
    var text = #"{"traceId":""# + trace + #"","spanId":""# + id + #"","parentSpanId":""# + parent + #"","name":""# + name + #"","kind":\#(kind),"startTimeUnixNano":"\#(start)""#
    if let end { text += #","endTimeUnixNano":"\#(end)""# }
    return text + extra + "}"
  }

  @Test func aClientToATracedServiceWithoutServerSideIsIncompleteButAnUntracedBackendIsNot() throws {
    let t1 = "11111111111111111111111111111111"
    let t2 = "22222222222222222222222222222222"
    let base = 1_700_000_000_000_000_000
    let dump = #"{"resourceSpans":["#
      + Self.otlp(
        "api",
        [
          Self.span(t1, "1000000000000001", "GET /a", kind: 2, start: base),
          Self.span(t1, "1000000000000002", parent: "1000000000000001", "call worker", kind: 3, start: base + 1,
            extra: #","attributes":[{"key":"peer.service","value":{"stringValue":"worker"}}]"#),
          Self.span(t2, "2000000000000001", "GET /b", kind: 2, start: base),
          Self.span(t2, "2000000000000002", parent: "2000000000000001", "SELECT", kind: 3, start: base + 1,
            extra: #","attributes":[{"key":"db.system","value":{"stringValue":"postgresql"}}]"#),
        ].joined(separator: ",")) + ","
      + Self.otlp("worker", Self.span("33333333333333333333333333333333", "3000000000000001", "job", kind: 5, start: base)) + "]}"
    let traces = try analyse(dump)
    let first = try #require(traces.first { $0.traceID.description == t1 })
    let second = try #require(traces.first { $0.traceID.description == t2 })
    #expect(first.status == .incomplete)
    #expect(first.reasons == [.clientWithoutServer(span: SpanLabel(service: "api", name: "call worker"), callee: "worker")])
    #expect(second.status == .ok, "\(second.reasons)")
  }

  @Test func asyncFollowsFromAndClockSkewAreNotIncompleteButAnUnendedSpanIs() throws {
    // Jaeger: a consumer that FOLLOWS_FROM a producer span absent from the dump, and a child
    // that starts before its parent (clock skew across hosts).
    let jaeger = #"""
      {"data":[{"traceID":"4444444444444444","spans":[
        {"traceID":"4444444444444444","spanID":"0000000000000001","operationName":"root","references":[],"startTime":1700000000000000,"duration":1000,"processID":"p1"},
        {"traceID":"4444444444444444","spanID":"0000000000000002","operationName":"skewed","references":[{"refType":"CHILD_OF","traceID":"4444444444444444","spanID":"0000000000000001"}],"startTime":1699999999999000,"duration":5000,"processID":"p2"},
        {"traceID":"4444444444444444","spanID":"0000000000000003","operationName":"consume","references":[{"refType":"FOLLOWS_FROM","traceID":"4444444444444444","spanID":"00000000000000ff"}],"startTime":1700000000500000,"duration":90000000,"processID":"p2"}
      ],"processes":{"p1":{"serviceName":"api"},"p2":{"serviceName":"worker"}}}]}
      """#
    let traces = try analyse(jaeger)
    #expect(traces.count == 1)
    #expect(traces[0].status == .ok, "\(traces[0].reasons)")
    #expect(traces[0].orphanCount == 1)

    let base = 1_700_000_000_000_000_000
    let unended = #"{"resourceSpans":["# + Self.otlp("api", Self.span("55555555555555555555555555555555", "5000000000000001", "GET", kind: 2, start: base, end: nil)) + "]}"
    let open = try analyse(unended)
    #expect(open.first?.status == .incomplete)
    #expect(open.first?.reasons == [.neverEnded(span: SpanLabel(service: "api", name: "GET"))])
  }
}

/// Inputs from the review: numbers at the edges of Int64, links to other traces, 64-bit ids.
@Suite struct TraceEdgeCaseTests {
  func analyse(_ files: [String: String]) throws -> Analysed { try Analysed.files(files) }

  @Test func extremeTimesNeitherTrapNorCorruptOtherSpans() throws {
    let jaeger = #"""
      {"data":[{"traceID":"6666666666666666","spans":[
        {"traceID":"6666666666666666","spanID":"0000000000000001","operationName":"huge","references":[],"startTime":9223372036854775,"duration":1000,"processID":"p1"},
        {"traceID":"6666666666666666","spanID":"0000000000000002","operationName":"late child","references":[{"refType":"CHILD_OF","traceID":"6666666666666666","spanID":"0000000000000001"}],"startTime":9223372036854999,"processID":"p1"}
      ],"processes":{"p1":{"serviceName":"api"}}}]}
      """#
    let otlp = #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"77777777777777777777777777777777","spanId":"7000000000000001","name":"x","startTimeUnixNano":"1","endTimeUnixNano":"18446744073709551615"}]}]}]}"#
    let proto = #"{"spans":[{"traceId":"AAAAAAAAAAAAAAAAAAAAAQ==","spanId":"AAAAAAAAAAI=","operationName":"unset start","startTime":"0001-01-01T00:00:00Z","duration":"99999999999999999999s"}]}"#
    let analysed = try analyse(["a.json": jaeger, "b.json": otlp, "c.json": proto])
    #expect(analysed.traces.count == 3)
    let report = TraceReport(traces: analysed.traces, store: analysed.store, findings: analysed.findings, serviceName: { _ in "?" })
    for trace in analysed.traces { _ = report.renderWaterfall(trace, logs: []) }
  }

  @Test func aConsumerThatOnlyFollowsFromAnotherTraceIsNotRootless() throws {
    let jaeger = #"""
      {"data":[{"traceID":"8888888888888888","spans":[
        {"traceID":"8888888888888888","spanID":"0000000000000001","operationName":"consume","references":[{"refType":"FOLLOWS_FROM","traceID":"9999999999999999","spanID":"0000000000000009"}],"startTime":1700000000000000,"duration":10,"processID":"p1"},
        {"traceID":"8888888888888888","spanID":"0000000000000002","operationName":"work","references":[{"refType":"CHILD_OF","traceID":"8888888888888888","spanID":"0000000000000001"}],"startTime":1700000000000001,"duration":5,"processID":"p1"}
      ],"processes":{"p1":{"serviceName":"worker"}}}]}
      """#
    let analysed = try analyse(["links.json": jaeger])
    #expect(analysed.traces.first?.status == .ok, "\(analysed.traces.first?.reasons ?? [])")
  }

  @Test func sixtyFourAndOneHundredTwentyEightBitFormsOfOneTraceAreOneTrace() throws {
    // Zipkin keeps the lower 64 bits; OTLP has all 128 (trace-formats.md §3.1, §5.3).
    let zipkin = #"[{"traceId":"48485a3953bb6124","id":"0000000000000002","parentId":"0000000000000001","name":"get","kind":"SERVER","timestamp":1700000000000100,"duration":50,"localEndpoint":{"serviceName":"backend"}}]"#
    let otlp = #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"frontend"}}]},"scopeSpans":[{"spans":[{"traceId":"463ac35c9f6413ad48485a3953bb6124","spanId":"0000000000000001","name":"GET /","kind":2,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000001000000"}]}]}]}"#
    let analysed = try analyse(["zipkin.json": zipkin, "otlp.json": otlp])
    #expect(analysed.traces.map(\.traceID.description) == ["463ac35c9f6413ad48485a3953bb6124"])
    #expect(analysed.traces.first?.spanCount == 2 && analysed.traces.first?.status == .ok)
  }

  @Test func aKillTakesTheOOMOfItsOwnServiceNotAnotherOne() throws {
    let log = """
      api-1       | {"time":"2025-11-04T09:57:30.000Z","level":"info","msg":"ok"}
      api-1 exited with code 137
      worker-1    | 2025-11-04 09:57:35,000 ERROR [tasks] - MemoryError
      worker-1    | Traceback (most recent call last):
      worker-1    |   File "/app/tasks.py", line 10, in run
      worker-1    |     data = load()
      worker-1    | MemoryError

      """
    let analysed = try analyse(["compose.log": log])
    let services = analysed.services
    let occurrences = TraceAnalyzer().crashOccurrences(
      .init(store: analysed.store, evidence: TraceEvidenceTable(), findings: analysed.findings, serviceName: { services.name($0) }))
    let kill = try #require(occurrences.first { $0.service == "api-1" })
    #expect(kill.category == .killed)
    #expect(analysed.findings.contains { $0.category == .oom && $0.service.map(services.name) == "worker-1" })
  }
}

/// Samples/worker-oom-traces: worker-1 is OOM-killed at 09:57:41 with three requests in flight
/// (its README lists every trace's status and last span).
@Suite struct OOMKilledMidRequestTests {
  static let incomplete = ["39f5472c83612996136d35d883254ba0", "92e709610556d919566abf5a5fe76ce4", "ade912d66ee15a1b29a4350448f0dbcb"]

  @Test func requestsInFlightAreIncompleteGroupedAndTiedToTheOOM() throws {
    let analysed = try Analysed([RepositoryPaths.root + "/Samples/worker-oom-traces"])
    #expect(analysed.traces.count == 19)
    #expect(analysed.traces.filter { $0.status == .incomplete }.map(\.traceID.description).sorted() == Self.incomplete)
    #expect(analysed.traces.filter { $0.status != .incomplete }.allSatisfy { $0.status == .ok && $0.crash == nil })
    for id in Self.incomplete {
      let trace = try #require(analysed.trace(id))
      #expect(trace.lastSpan == SpanLabel(service: "worker", name: "GET"))
      let crash = try #require(trace.crash, "\(id)")
      #expect(crash.category == .oom && crash.service == "worker-1")
      // The definitive evidence: the kernel's OOM report.
      #expect(analysed.findings[crash.findingIndex].signature.hasPrefix("oom.kernel"))
      #expect(trace.logEvents > 0)
    }
    let groups = TraceAnalyzer.stoppedAt(analysed.traces)
    #expect(groups.count == 1)
    #expect(groups.first?.span == SpanLabel(service: "worker", name: "GET") && groups.first?.traces.count == 3)
    // Finished requests: one root, no orphans, every span joined with its log events.
    let finished = try #require(analysed.trace("2ddc87b181f7692c3439fccdb7e7444c"))
    #expect(finished.status == .ok && finished.rootCount == 1 && finished.orphanCount == 0 && finished.spanCount == 9)
    #expect(analysed.store.duplicateSpans == 42)
  }
}

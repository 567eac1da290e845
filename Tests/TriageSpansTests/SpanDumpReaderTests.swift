import Foundation
import Testing
import TriageInput
import TriageSpans
import TriageTestSupport
import TriageUnwrapping

/// The streaming span-dump reader: units found in any chunking, JSON parsed without
/// recursion, broken units skipped with a warning while the rest is read.
@Suite struct SpanDumpReaderTests {
  func read(_ text: String, chunkSize: Int = .max) throws -> (SpanStore, SpanDumpReader.Statistics, [SpanDumpLogRecord]) {
    let store = SpanStore()
    var records: [SpanDumpLogRecord] = []
    let statistics = try SpanDumpReader(store: store).read(ChunkedByteStream(text, chunkSize: chunkSize), source: "dump.json") {
      records.append($0)
    }
    return (store, statistics, records)
  }

  func isDump(_ text: String) -> Bool {
    var bytes = Array(text.utf8)
    return bytes.withUnsafeMutableBufferPointer { SpanDumpReader.isSpanDump(prefix: UnsafeBufferPointer($0)) }
  }

  static let jaeger = """
    {"data":[{"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spans":[
      {"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spanID":"00f067aa0ba902b7","operationName":"GET /a \\"quoted\\" [x]","references":[],
       "startTime":1762164000123456,"duration":12400,"tags":[{"key":"span.kind","type":"string","value":"server"}],"processID":"p1"},
      {"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spanID":"53995c3f42cd8ad8","operationName":"db","references":[{"refType":"CHILD_OF","traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spanID":"00f067aa0ba902b7"}],
       "startTime":1762164000124456,"duration":9800,"tags":[{"key":"span.kind","type":"string","value":"client"},{"key":"error","type":"bool","value":true},{"key":"db.system","type":"string","value":"postgresql"}],"processID":"p1"}
    ],"processes":{"p1":{"serviceName":"api","tags":[{"key":"hostname","type":"string","value":"api-7d9f"}]}},"warnings":null}],
    "total":0,"limit":0,"offset":0,"errors":null}
    """

  @Test func aSpanIsSeventyTwoBytes() {
    // Memory follows the spans kept: 72 bytes each, whatever their JSON held.
    #expect(MemoryLayout<Span>.stride == 72)
    var span = Span(traceID: TraceID(upperHalf: 1, lowerHalf: 2), spanID: 3)
    span.kind = .consumer
    span.status = .error
    span.kind = .producer
    #expect(span.kind == .producer && span.status == .error)
  }

  @Test func readsTheSameSpansInAnyChunking() throws {
    for chunkSize in [1, 7, 64, .max] {
      let (store, statistics, _) = try read(Self.jaeger, chunkSize: chunkSize)
      #expect(statistics.spans == 2, "chunk \(chunkSize)")
      #expect(statistics.skippedUnits == 0)
      let spans = store.spans
      #expect(spans.map(\.traceID.description) == ["4bf92f3577b34da6a3ce929d0e0e4736", "4bf92f3577b34da6a3ce929d0e0e4736"])
      #expect(store.strings[spans[0].name] == #"GET /a "quoted" [x]"#)
      #expect(spans[0].start == 1_762_164_000_123_456_000 && spans[0].duration == 12_400_000)
      #expect(spans[1].parentSpanID == 0x00f0_67aa_0ba9_02b7 && spans[1].kind == .client && spans[1].status == .error)
      #expect(store.strings[spans[1].remoteService] == "postgresql")
      #expect(store.strings[spans[1].service] == "api" && store.strings[spans[1].instance] == "api-7d9f")
    }
  }

  @Test func otlpNanosecondsAboveTwoToThe53AreExact() throws {
    let line = #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"worker"}}]},"scopeSpans":[{"spans":[{"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174","parentSpanId":"","name":"job","kind":5,"startTimeUnixNano":"1544712660123456789","endTimeUnixNano":1544712661000000001,"status":{"code":2,"message":"boom"}}]}]}]}"#
    let (store, _, _) = try read(line)
    let span = try #require(store.spans.first)
    #expect(span.traceID.description == "5b8efff798038103d269b633813fc60c")
    #expect(span.spanID == 0xeee1_9b7e_c3c1_b174 && span.isRoot && span.kind == .consumer)
    #expect(span.start == 1_544_712_660_123_456_789 && span.duration == 876_543_212)
    #expect(span.status == .error && store.strings[span.statusMessage] == "boom")
  }

  @Test func tempoBase64IdsAndEnumNames() throws {
    let text = #"{"batches":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"db"}}]},"instrumentationLibrarySpans":[{"spans":[{"traceId":"6Lbf+fjUSyjxsivDvS9naA==","spanId":"AAAAAAAAAAI=","parentSpanId":"AAAAAAAAAAE=","name":"q","kind":"SPAN_KIND_CLIENT","startTimeUnixNano":"1000","endTimeUnixNano":"2000","status":{"code":"STATUS_CODE_ERROR"}}]}]}]}"#
    let (store, _, _) = try read(text)
    let span = try #require(store.spans.first)
    #expect(span.traceID.description == "e8b6dff9f8d44b28f1b22bc3bd2f6768")
    #expect(span.spanID == 2 && span.parentSpanID == 1 && span.kind == .client && span.status == .error)
  }

  @Test func tempoV2EnvelopeAndZipkinV1Annotations() throws {
    let tempo = #"{"trace":{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},"scopeSpans":[{"spans":[{"traceId":"6Lbf+fjUSyjxsivDvS9naA==","spanId":"AAAAAAAAAAE=","name":"GET","kind":"SPAN_KIND_SERVER","startTimeUnixNano":"1000","endTimeUnixNano":"2000"}]}]}]},"status":"PARTIAL"}"#
    let (tempoStore, _, _) = try read(tempo)
    #expect(tempoStore.spans.map { tempoStore.strings[$0.service] } == ["api"])
    #expect(tempoStore.spans.first?.kind == .server)

    // v1: the client half began (`cs`) and never finished (no `cr`); the service is the
    // endpoint's on the core annotation.
    let zipkin = #"[{"traceId":"48485a3953bb6124","id":"53995c3f42cd8ad8","parentId":"48485a3953bb6124","name":"get","timestamp":1472470996199000,"annotations":[{"timestamp":1472470996199000,"value":"cs","endpoint":{"serviceName":"frontend","ipv4":"127.0.0.1"}}],"binaryAnnotations":[{"key":"http.url","value":"http://backend:9000/api","endpoint":{"serviceName":"frontend"}}]}]"#
    let (zipkinStore, statistics, _) = try read(zipkin)
    #expect(statistics.spans == 1)
    let span = try #require(zipkinStore.spans.first)
    #expect(span.kind == .client && span.flags.contains(.neverEnded) && span.duration == nil)
    #expect(zipkinStore.strings[span.service] == "frontend" && zipkinStore.strings[span.remoteService] == "backend")
    #expect(span.traceID.description == "000000000000000048485a3953bb6124" && span.start == 1_472_470_996_199_000_000)

    // The `error` binary annotation holds the message; `sa` names the remote side.
    let failed = #"[{"traceId":"48485a3953bb6124","id":"53995c3f42cd8ad9","name":"get","timestamp":1,"duration":2,"annotations":[{"timestamp":1,"value":"cs","endpoint":{"serviceName":"frontend"}},{"timestamp":3,"value":"cr","endpoint":{"serviceName":"frontend"}}],"binaryAnnotations":[{"key":"sa","value":true,"endpoint":{"serviceName":"backend"}},{"key":"error","value":"Connection refused","endpoint":{"serviceName":"frontend"}}]}]"#
    let (failedStore, _, _) = try read(failed)
    let failedSpan = try #require(failedStore.spans.first)
    #expect(failedSpan.status == .error && failedStore.strings[failedSpan.statusMessage] == "Connection refused")
    #expect(failedStore.strings[failedSpan.service] == "frontend" && failedStore.strings[failedSpan.remoteService] == "backend")
  }

  @Test func otlpLogRecordsBecomeRecords() throws {
    let text = #"{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},"scopeLogs":[{"logRecords":[{"timeUnixNano":"1544712660300000000","severityNumber":17,"traceId":"5B8EFFF798038103D269B633813FC60C","body":{"stringValue":"connect ECONNREFUSED 10.0.0.5:5432"}},{"observedTimeUnixNano":"1544712661000000000","severityText":"Information","body":{"kvlistValue":{"values":[]}}}]}]}]}"#
    let (_, statistics, records) = try read(text)
    #expect(statistics.logRecords == 2)
    #expect(records[0].service == "api" && records[0].level == .error && records[0].text == "connect ECONNREFUSED 10.0.0.5:5432")
    #expect(records[0].traceID?.description == "5b8efff798038103d269b633813fc60c")
    #expect(records[0].time?.millisecondsSinceEpoch == 1_544_712_660_300)
    #expect(records[1].time?.millisecondsSinceEpoch == 1_544_712_661_000 && records[1].level == .info)
  }

  @Test func aBrokenJSONLineIsSkippedAndTheOthersAreRead() throws {
    func line(_ digit: String) -> String {
      #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b17"# + digit + #"","name":"x"}]}]}]}"#
    }
    let lines = [line("1"), #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId": oops}]}]}]}"#, line("3")]
    let (store, statistics, _) = try read(lines.joined(separator: "\n") + "\n")
    #expect(store.spans.map(\.spanID) == [0xeee1_9b7e_c3c1_b171, 0xeee1_9b7e_c3c1_b173])
    #expect(statistics.skippedUnits == 1)
    #expect(statistics.warnings.count == 1 && statistics.warnings[0].contains("byte "))
    #expect(statistics.lines == 3)
  }

  @Test func aTruncatedDumpKeepsWhatItHad() throws {
    let trace = Self.firstTrace
    let second = trace.replacingOccurrences(of: "4bf92f3577b34da6a3ce929d0e0e4736", with: "aaaaf3577b34da6a3ce929d0e0e47360")
    let (store, statistics, _) = try read("{\"data\":[" + trace + "," + String(second.prefix(second.count / 2)))
    #expect(store.spans.count == 2)
    #expect(store.spans.allSatisfy { $0.traceID.description == "4bf92f3577b34da6a3ce929d0e0e4736" })
    #expect(statistics.warnings.count == 1 && statistics.warnings[0].contains("truncated"), "\(statistics.warnings)")
  }

  /// The trace object inside ``jaeger``.
  static var firstTrace: String {
    let start = jaeger.index(jaeger.startIndex, offsetBy: "{\"data\":[".count)
    let marker = "\"warnings\":null}"
    var end = start
    while !jaeger[end...].hasPrefix(marker) { end = jaeger.index(after: end) }
    return String(jaeger[start..<jaeger.index(end, offsetBy: marker.count)])
  }

  @Test func strayBytesAndAByteOrderMarkNeitherLoopNorLoseSpans() throws {
    let span = #"{"traceId":"5b8efff798038103d269b633813fc60c","id":"eee19b7ec3c1b174","name":"get"}"#
    // A stray closing brace, and NUL padding after the last element (a file cut by a crash).
    let (store, statistics, _) = try read("[" + span + "}" + "," + span + ",\u{0}\u{0}\u{0}")
    #expect(store.spans.count >= 1 && statistics.skippedUnits >= 1)
    #expect(statistics.warnings.count <= SpanDumpReader.Statistics.maximumWarnings)
    let (bom, bomStatistics, _) = try read("\u{FEFF}[" + span + "]")
    #expect(bom.spans.count == 1 && bomStatistics.warnings.isEmpty)
  }

  @Test func deepNestingParsesWithoutRecursion() throws {
    var tree = JSONTree()
    let depth = 100_000
    var bytes = Array(String(repeating: "[", count: depth).utf8) + Array(String(repeating: "]", count: depth).utf8)
    try bytes.withUnsafeMutableBufferPointer { try tree.parse(UnsafeBufferPointer($0)) }
    var broken = Array(String(repeating: "{\"a\":", count: 10).utf8) + Array("1".utf8)
    let error = broken.withUnsafeMutableBufferPointer { buffer -> JSONTree.SyntaxError? in
      do throws(JSONTree.SyntaxError) { try tree.parse(UnsafeBufferPointer(buffer)); return nil } catch { return error }
    }
    #expect(error?.reason == "the JSON ends early")
  }

  @Test func spanDumpsAreToldApartFromJSONLogs() {
    #expect(isDump(Self.jaeger))
    #expect(isDump(#"{"resourceSpans":[]}"#))
    #expect(isDump("  {\n  \"result\": {\"resourceSpans\": []}}"))
    #expect(isDump(#"[{"traceId":"5b8efff798038103","id":"eee19b7ec3c1b174","name":"get"}]"#))
    #expect(isDump(#"[[{"traceId":"5b8efff798038103","id":"eee19b7ec3c1b174"}]]"#))
    #expect(isDump(#"{"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spans":[],"processes":{}}"#))
    #expect(!isDump(#"{"time":"2025-11-03T10:00:00Z","level":"info","msg":"x","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}"#))
    #expect(!isDump(#"{"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","msg":"request done"}"#))
    #expect(!isDump(#"[1,2,3]"#))
    // logrus sorts keys: `data`, `result`, `trace` can come first in ordinary log lines.
    #expect(!isDump(#"{"data":"x","level":"error","msg":"boom"}"#))
    #expect(!isDump(#"{"data":["a","b"],"msg":"batch"}"#))
    #expect(!isDump(#"{"result":{"ok":true},"msg":"done"}"#))
    #expect(!isDump(#"{"trace":"abc","level":"info"}"#))
    #expect(!isDump(#"{"spans":[{"name":"x"}],"msg":"y"}"#))
    #expect(isDump("\u{FEFF}" + #"{"resourceSpans":[]}"#))
    #expect(!isDump("plain text"))
  }
}

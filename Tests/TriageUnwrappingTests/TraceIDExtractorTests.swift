import Testing
import TriageUnwrapping

/// The test vectors of shared/reference/trace-formats.md §5.2, the non-matches included, and
/// the normalisation rules of §5.3.
@Suite struct TraceIDExtractorTests {
  let extractor = TraceIDExtractor()

  func traceID(_ line: String) -> String? {
    var bytes = Array(line.utf8)
    return bytes.withUnsafeMutableBufferPointer { extractor.traceID(in: UnsafeBufferPointer($0))?.description }
  }

  func rules(_ line: String) -> [String] {
    var bytes = Array(line.utf8)
    return bytes.withUnsafeMutableBufferPointer { extractor.allMatches(in: UnsafeBufferPointer($0)).map(\.rule) }
  }

  @Test(arguments: [
    ("traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "4bf92f3577b34da6a3ce929d0e0e4736", "w3c-traceparent"),
    ("2025-03-05 09:40:04,398 WARNING [root] [example.py:7] [trace_id=5b8efff798038103d269b633813fc60c span_id=eee19b7ec3c1b174 resource.service.name=svc trace_sampled=True] - OTel test",
     "5b8efff798038103d269b633813fc60c", "trace-id-field"),
    (#"{"timestamp":1581385157.14429,"body":"Incoming request","trace_id":"102981abcd2901aa102981abcd2901aa","span_id":"abcdef1010abcdef"}"#,
     "102981abcd2901aa102981abcd2901aa", "trace-id-field"),
    (#"{"level":"info","msg":"/test","traceID":"285f31ec1dba4b79034c4415ad18e4ed"}"#, "285f31ec1dba4b79034c4415ad18e4ed", "trace-id-field"),
    (#"{"@timestamp":"x","trace.id":"0af7651916cd43dd8448eb211c80319c","transaction.id":"b7ad6b7169203331"}"#,
     "0af7651916cd43dd8448eb211c80319c", "trace-id-field"),
    (#"{"message":"x","trace":{"id":"0af7651916cd43dd8448eb211c80319c"}}"#, "0af7651916cd43dd8448eb211c80319c", "ecs-nested"),
    // Datadog's decimal ids are the lower 64 bits: 5577006791947779410 = 0x4d65822107fcfd52.
    ("INFO dd.service=web dd.trace_id=5577006791947779410 dd.span_id=8674665223082153551 - hi", "00000000000000004d65822107fcfd52", "datadog"),
    (#"{"msg":"x","dd":{"trace_id":"5577006791947779410","span_id":"1"}}"#, "00000000000000004d65822107fcfd52", "datadog-nested"),
    ("b3: 80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90", "80f198ee56343ba864fe8b2a57d3eff7", "b3-single"),
    ("X-B3-TraceId: 463ac35c9f6413ad48485a3953bb6124", "463ac35c9f6413ad48485a3953bb6124", "b3-multi"),
    ("uber-trace-id: 51729f13a64c2ef3:258169797d519815:51729f13a64c2ef3:1", "000000000000000051729f13a64c2ef3", "uber-trace-id"),
    // A dropped leading zero is restored by left-padding.
    ("uber-trace-id=1729f13a64c2ef3%3A258169797d519815%3A0%3A1", "1729f13a64c2ef3".paddedTo32, "uber-trace-id"),
    ("X-Amzn-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", "5759e988bd862e3fe1be46a994272793", "xray"),
    ("2024-01-10T10:00:00.000Z  INFO 12345 --- [myapp] [nio-8080-exec-1] [6597b4a6b06e1d0f2f6b1f8d5c0e5a13-2f6b1f8d5c0e5a13] c.e.MyApplication : home() has been called",
     "6597b4a6b06e1d0f2f6b1f8d5c0e5a13", "spring-boot"),
    ("2016-02-26 11:15:47.561  INFO [service1,2485ec27856c56f4,2485ec27856c56f4,true] 68058 --- [nio-8081-exec-1] i.s.c.sleuth : Hello",
     "00000000000000002485ec27856c56f4", "sleuth"),
    (#"{"logging.googleapis.com/trace":"projects/my-proj/traces/0af7651916cd43dd8448eb211c80319c","logging.googleapis.com/spanId":"b7ad6b7169203331"}"#,
     "0af7651916cd43dd8448eb211c80319c", "gcp-trace"),
    ("X-Cloud-Trace-Context: 105445aa7843bc8bf206b12000100000/1;o=1", "105445aa7843bc8bf206b12000100000", "gcp-x-cloud-trace-context"),
    ("sentry-trace: 771a43a4192642f0b136d5159a501700-b7ad6b7169203331-1", "771a43a4192642f0b136d5159a501700", "sentry-trace"),
    (#"{"@t":"2024-01-01T00:00:00Z","@mt":"x","@tr":"0af7651916cd43dd8448eb211c80319c","@sp":"b7ad6b7169203331"}"#,
     "0af7651916cd43dd8448eb211c80319c", "serilog-clef"),
  ])
  func findsTheTraceID(line: String, expected: String, rule: String) {
    #expect(traceID(line) == expected, "\(line)")
    #expect(rules(line).first == rule, "\(line): \(rules(line))")
  }

  @Test(arguments: [
    "2025-03-05 09:40:04,398 WARNING [root] [example.py:7] [trace_id=0 span_id=0 resource.service.name= trace_sampled=False] - OTel test",
    "md5=9e107d9d372bb6826bd81d3542a419d6 request_id=3f2a not a trace",
    // Dash-less UUIDs and hashes are not trace ids without a key that says so.
    "uploaded blob sha256 9e107d9d372bb6826bd81d3542a419d69e107d9d372bb6826bd81d3542a419d6",
    "task 3f2a9b4c-1d2e-4f5a-8b6c-7d8e9f0a1b2c succeeded",
    // W3C: version ff is invalid, and so is an all-zero trace id.
    "traceparent: ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "traceparent: 00-00000000000000000000000000000000-00f067aa0ba902b7-01",
    // A span id alone is not a trace id.
    "span_id=eee19b7ec3c1b174 done",
    "",
  ])
  func findsNothing(line: String) {
    #expect(traceID(line) == nil, "\(line)")
  }

  @Test func theLongHexRunPrefilterFindsRunsAtAnyOffset() {
    for offset in 0..<40 {
      for length in [15, 16, 17, 32] {
        let line = String(repeating: "x", count: offset) + String(repeating: "a", count: length) + " tail"
        var bytes = Array(line.utf8)
        let found = bytes.withUnsafeMutableBufferPointer { TraceIDExtractor.containsLongHexRun(UnsafeBufferPointer($0)) }
        #expect(found == (length >= 16), "offset \(offset) length \(length)")
      }
    }
  }

  @Test func base64IdsDecodeAsTempoAndJaegerProtoJSONWriteThem() {
    func decode(_ text: String) -> String? {
      var bytes = Array(text.utf8)
      return bytes.withUnsafeMutableBufferPointer { TraceID(idText: UnsafeBufferPointer($0))?.description }
    }
    #expect(decode("6Lbf+fjUSyjxsivDvS9naA==") == "e8b6dff9f8d44b28f1b22bc3bd2f6768")
    #expect(decode("6Lbf-fjUSyjxsivDvS9naA") == "e8b6dff9f8d44b28f1b22bc3bd2f6768")
    #expect(decode("AAAAAAAAAAAAAAAAAAAAAQ==") == "00000000000000000000000000000001")
    #expect(decode("AAAAAAAAAAI=") == "00000000000000000000000000000002")
    #expect(decode("5B8EFFF798038103D269B633813FC60C") == "5b8efff798038103d269b633813fc60c")
    #expect(decode("AAAAAAAAAAAAAAAAAAAAAA==") == nil)
    #expect(decode("not an id!") == nil)
  }
}

extension String {
  /// Left-pads hex digits to 32.
  fileprivate var paddedTo32: String { String(repeating: "0", count: max(0, 32 - count)) + self }
}

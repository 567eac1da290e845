import TriageInput
import TriageUnwrapping

/// Reads span dumps as a stream: Jaeger UI/query JSON (`{"data":[…]}`, a single trace, span
/// arrays with embedded processes, proto JSON), Jaeger api_v3 (`{"result":…}`, summaries),
/// OTLP JSON traces and logs (one document, or the collector file exporter's JSON lines),
/// Zipkin v2 and v1 (arrays, or arrays of arrays), and Tempo (`batches`, `resourceSpans`,
/// `{"trace":…}`), recognised by content.
///
/// The document is never held whole: the reader walks its outer structure and parses one
/// unit at a time (a trace of `data`, an element of `resourceSpans`, a Zipkin span, a JSON
/// line), so memory follows the largest unit plus the spans kept. A unit that does not parse
/// is counted and skipped with a warning naming its byte offset; the units after it are read.
/// - Complexity: O(n) in the dump's bytes: one scan to find each unit and one to parse it.
public struct SpanDumpReader {
  /// Where spans go.
  public let store: SpanStore
  /// Units larger than this stop the source with an error (a single trace, a resourceSpans
  /// element or a JSON line of more than 1 GiB is not a span dump anyone exported).
  public var maximumUnitLength = 1 << 30

  /// What one dump held.
  public struct Statistics: Sendable, Equatable {
    public var bytes = 0
    public var lines = 0
    public var units = 0
    public var spans = 0
    public var logRecords = 0
    public var summaries = 0
    /// Units that were not valid JSON or held nothing readable.
    public var skippedUnits = 0
    /// The first ``maximumWarnings`` problems (``skippedUnits`` counts them all).
    public var warnings: [String] = []
    public static let maximumWarnings = 20

    mutating func warn(_ message: String) {
      if warnings.count < Self.maximumWarnings { warnings.append(message) }
    }

    public init() {}
  }

  public init(store: SpanStore) { self.store = store }

  /// Whether the first bytes of a text source are a span dump (not JSON log lines that carry
  /// trace ids, nor a log line whose first key happens to be `data` or `trace`):
  /// - an object whose first member is a dump's envelope with the value a dump has there:
  ///   `data`, `resourceSpans`, `resourceLogs`, `batches`, `spans`, `summaries` holding an
  ///   array (empty, or of objects), `result` and `trace` holding an object whose first member
  ///   is `resourceSpans`;
  /// - a Jaeger trace (`traceID` first, with `"spans": [`);
  /// - an array (or array of arrays) of span objects (`traceId`/`traceID` with `id`, `spanID`
  ///   or `spanId`) or of OTLP documents.
  public static func isSpanDump(prefix: UnsafeBufferPointer<UInt8>) -> Bool {
    var index = prefix.skippingJSONWhitespace(from: 0)
    if prefix.count >= index + 3, prefix[index] == 0xEF, prefix[index + 1] == 0xBB, prefix[index + 2] == 0xBF {
      index = prefix.skippingJSONWhitespace(from: index + 3)
    }
    guard index < prefix.count else { return false }
    if prefix[index] == UInt8(ascii: "{") { return isDumpObject(prefix, at: index, nested: false) }
    guard prefix[index] == UInt8(ascii: "[") else { return false }
    index = prefix.skippingJSONWhitespace(from: index + 1)
    if index < prefix.count, prefix[index] == UInt8(ascii: "[") { index = prefix.skippingJSONWhitespace(from: index + 1) }
    guard index < prefix.count, prefix[index] == UInt8(ascii: "{") else { return false }
    guard let (key, _) = firstMember(prefix, objectAt: index) else { return false }
    if key.equals("resourceSpans") || key.equals("resourceLogs") { return true }
    return looksLikeSpan(prefix.slice(index, min(prefix.count, index + 4096)))
  }

  static let arrayEnvelopes: [StaticString] = ["data", "resourceSpans", "resourceLogs", "batches", "summaries", "spans"]

  /// Whether the object at `start` is a dump's envelope (see ``isSpanDump(prefix:)``).
  private static func isDumpObject(_ prefix: UnsafeBufferPointer<UInt8>, at start: Int, nested: Bool) -> Bool {
    guard let (key, valueStart) = firstMember(prefix, objectAt: start), valueStart < prefix.count else { return false }
    let value = prefix[valueStart]
    if nested { return key.equals("resourceSpans") && value == UInt8(ascii: "[") }
    if arrayEnvelopes.contains(where: { key.equals($0) }) {
      guard value == UInt8(ascii: "[") else { return false }
      let first = prefix.skippingJSONWhitespace(from: valueStart + 1)
      guard first < prefix.count else { return true }
      guard prefix[first] == UInt8(ascii: "]") || prefix[first] == UInt8(ascii: "{") else { return false }
      // `spans` of Jaeger's proto JSON hold span objects; `data` holds traces.
      if key.equals("spans") && prefix[first] == UInt8(ascii: "{") { return looksLikeSpan(prefix.slice(first, min(prefix.count, first + 4096))) }
      return true
    }
    if key.equals("result") || key.equals("trace") {
      return value == UInt8(ascii: "{") && isDumpObject(prefix, at: valueStart, nested: true)
    }
    if key.equals("traceID") || key.equals("traceId") {
      guard let spans = prefix.firstIndex(of: "\"spans\"") else { return false }
      var after = prefix.skippingJSONWhitespace(from: spans + 7)
      guard after < prefix.count, prefix[after] == UInt8(ascii: ":") else { return false }
      after = prefix.skippingJSONWhitespace(from: after + 1)
      return after < prefix.count && prefix[after] == UInt8(ascii: "[")
    }
    return false
  }

  /// Whether an object's first bytes name a trace id and a span id.
  private static func looksLikeSpan(_ head: UnsafeBufferPointer<UInt8>) -> Bool {
    let hasTrace = head.firstIndex(of: "\"traceId\"") != nil || head.firstIndex(of: "\"traceID\"") != nil
    let hasSpan = head.firstIndex(of: "\"id\"") != nil || head.firstIndex(of: "\"spanID\"") != nil || head.firstIndex(of: "\"spanId\"") != nil
    return hasTrace && hasSpan
  }

  /// The first member name of the object at `start`, and where its value starts.
  private static func firstMember(_ bytes: UnsafeBufferPointer<UInt8>, objectAt start: Int) -> (UnsafeBufferPointer<UInt8>, Int)? {
    let quote = bytes.skippingJSONWhitespace(from: start + 1)
    guard quote < bytes.count, bytes[quote] == UInt8(ascii: "\""),
      let (end, _) = JSONObjectScanner.scanStringBody(bytes, from: quote + 1)
    else { return nil }
    let colon = bytes.skippingJSONWhitespace(from: end + 1)
    guard colon < bytes.count, bytes[colon] == UInt8(ascii: ":") else { return nil }
    return (bytes.slice(quote + 1, end), bytes.skippingJSONWhitespace(from: colon + 1))
  }

  /// Reads one dump. Log records of OTLP logs dumps go to `logRecord`.
  /// - Throws: ``InputError`` when the stream fails; what was read before stays in the store.
  public func read(
    _ stream: ByteStream, source: String, logRecord: @escaping (SpanDumpLogRecord) -> Void = { _ in }
  ) throws(InputError) -> Statistics {
    let window = StreamWindow(stream: stream)
    var walker = DumpWalker(
      window: window, store: store, source: store.beginSource(source), maximumUnitLength: maximumUnitLength, logRecord: logRecord)
    try walker.walkDocuments()
    walker.statistics.bytes = window.bytesRead
    walker.statistics.lines = window.lineBreaks + (window.endsWithoutLineBreak ? 1 : 0)
    return walker.statistics
  }
}

import TriageInput
/// Every span read from the dumps of one run, with the strings they name.
///
/// Spans are kept as compact values (``Span``, about 100 bytes), never as JSON: memory follows
/// the number of spans, not the size of the dumps. Identical duplicates (a span exported
/// twice, or found in two dumps) are removed by ``deduplicate()``, which also sorts the spans
/// so each trace's spans are adjacent.
public final class SpanStore: @unchecked Sendable {
  public private(set) var spans: [Span] = []
  public let strings = StringTable()
  /// The dump files, in the order read; ``Span/source`` indexes this.
  public private(set) var sources: [String] = []
  /// Trace summaries read without spans (Jaeger api_v3 `/trace-summaries`).
  public private(set) var summaries: [TraceSummary] = []
  /// Spans dropped by ``deduplicate()`` because an identical one was kept.
  public private(set) var duplicateSpans = 0
  /// Spans as read, duplicates included.
  public private(set) var spansRead = 0

  public init() {}

  /// Starts a new dump file; the spans appended next come from it.
  public func beginSource(_ name: String) -> UInt32 {
    sources.append(name)
    return UInt32(sources.count - 1)
  }

  public func append(_ span: Span) {
    spans.append(span)
    spansRead += 1
  }

  public func append(_ summary: TraceSummary) { summaries.append(summary) }

  /// Sorts the spans by trace, start and span id, and keeps one of each set of identical
  /// duplicates (same trace, span id, kind, name and start to the microsecond: Jaeger and
  /// Zipkin keep microseconds, OTLP nanoseconds).
  /// - Complexity: O(n log n), in place.
  public func deduplicate() {
    spans.sort { left, right in
      if left.traceID.upperHalf != right.traceID.upperHalf { return left.traceID.upperHalf < right.traceID.upperHalf }
      if left.traceID.lowerHalf != right.traceID.lowerHalf { return left.traceID.lowerHalf < right.traceID.lowerHalf }
      if left.start / 1000 != right.start / 1000 { return left.start / 1000 < right.start / 1000 }
      if left.spanID != right.spanID { return left.spanID < right.spanID }
      if left.kind != right.kind { return left.kind.rawValue < right.kind.rawValue }
      return left.name < right.name
    }
    var kept = 0
    for index in spans.indices {
      if kept > 0 && spans[kept - 1].deduplicationKey == spans[index].deduplicationKey {
        duplicateSpans += 1
        continue
      }
      spans[kept] = spans[index]
      kept += 1
    }
    spans.removeLast(spans.count - kept)
    separateSharedSpans()
  }

  /// Zipkin's RPC halves may share one span id. As Jaeger's adjuster does, a shared server
  /// half whose client half is in the trace gets an id of its own with the client half as its
  /// parent, and the spans of the server's service that named the shared id move under it: the
  /// trace then has the tree Jaeger or OTLP would show.
  func separateSharedSpans() {
    guard spans.contains(where: { $0.flags.contains(.sharedServer) }) else { return }
    var low = 0
    while low < spans.count {
      var high = low + 1
      while high < spans.count && spans[high].traceID == spans[low].traceID { high += 1 }
      for server in low..<high where spans[server].flags.contains(.sharedServer) && spans[server].parentSpanID != spans[server].spanID {
        let shared = spans[server].spanID
        guard (low..<high).contains(where: { spans[$0].spanID == shared && spans[$0].kind == .client }) else { continue }
        let own = Self.sharedServerID(shared)
        for child in low..<high where child != server && spans[child].parentSpanID == shared && spans[child].service == spans[server].service {
          spans[child].parentSpanID = own
        }
        spans[server].parentSpanID = shared
        spans[server].spanID = own
      }
      low = high
    }
  }

  /// The id given to the server half of a shared span: fixed per shared id, never 0, never
  /// the shared id.
  static func sharedServerID(_ shared: UInt64) -> UInt64 {
    var mixed = (shared ^ 0x5EED_5EED_5EED_5EED) &* 0x9E37_79B9_7F4A_7C15
    mixed ^= mixed >> 29
    return mixed == 0 || mixed == shared ? 1 : mixed
  }
}

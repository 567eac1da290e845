import TriageUnwrapping

/// Every span read from the dumps of one run, with the strings they name.
///
/// Spans are kept as compact values (``Span``, 72 bytes), never as JSON, in fixed-size
/// chunks: memory follows the number of spans, not the size of the dumps, and growing never
/// copies what is kept. ``deduplicate()`` orders them by trace (through an index of 4 bytes per
/// span) so each trace's spans are adjacent in ``spans``, and drops identical duplicates (a span
/// exported twice, or found in two dumps).
public final class SpanStore: @unchecked Sendable {
  static let chunkShift = 14
  static let chunkSize = 1 << chunkShift

  private var chunks: [[Span]] = []
  /// Storage positions in reading order, then (after ``deduplicate()``) in trace order.
  private var order: [UInt32]?
  public let strings = StringTable()
  /// The dump files, in the order read; ``Span/source`` indexes this.
  public private(set) var sources: [String] = []
  /// Trace summaries read without spans (Jaeger api_v3 `/trace-summaries`).
  public private(set) var summaries: [TraceSummary] = []
  /// Spans dropped by ``deduplicate()`` because an identical one was kept.
  public private(set) var duplicateSpans = 0
  /// Spans as read, duplicates included.
  public private(set) var spansRead = 0
  /// Parents in another trace (Jaeger references may point there), by child; rare, so kept
  /// beside the spans rather than in each.
  private var crossTraceParents: [ChildKey: TraceID] = [:]

  struct ChildKey: Hashable {
    let traceID: TraceID
    let spanID: UInt64
  }

  public init() {}

  /// The spans: in reading order, or by trace after ``deduplicate()``.
  public var spans: SpanList { SpanList(chunks: chunks, order: order, count: order?.count ?? spansRead) }

  /// Starts a new dump file; the spans appended next come from it.
  public func beginSource(_ name: String) -> UInt16 {
    sources.append(name)
    // Past 65,535 dump files the last index is shared (it only names a span's file).
    return UInt16(clamping: sources.count - 1)
  }

  /// Keeps a span; `parentTraceID` when its parent reference names another trace.
  public func append(_ span: Span, parentTraceID: TraceID? = nil) {
    if chunks.isEmpty || chunks[chunks.count - 1].count == Self.chunkSize {
      chunks.append([])
      chunks[chunks.count - 1].reserveCapacity(Self.chunkSize)
    }
    chunks[chunks.count - 1].append(span)
    spansRead += 1
    if let parentTraceID, parentTraceID != span.traceID {
      crossTraceParents[ChildKey(traceID: span.traceID, spanID: span.spanID)] = parentTraceID
    }
    order = nil
  }

  public func append(_ summary: TraceSummary) { summaries.append(summary) }

  /// The trace of a span's parent when it is not the span's own trace.
  public func parentTraceID(of span: Span) -> TraceID? {
    crossTraceParents.isEmpty ? nil : crossTraceParents[ChildKey(traceID: span.traceID, spanID: span.spanID)]
  }

  private func span(atStorage position: UInt32) -> Span {
    chunks[Int(position) >> Self.chunkShift][Int(position) & (Self.chunkSize - 1)]
  }

  private func update(atStorage position: UInt32, _ body: (inout Span) -> Void) {
    body(&chunks[Int(position) >> Self.chunkShift][Int(position) & (Self.chunkSize - 1)])
  }

  /// Joins 64-bit trace ids with their 128-bit form (``widenShortTraceIDs()``), orders the
  /// spans by trace, start (to the microsecond) and span id, and keeps one of each
  /// set of identical duplicates (same trace, span id, kind, name and start to the
  /// microsecond: Jaeger and Zipkin keep microseconds, OTLP nanoseconds).
  /// - Complexity: O(n log n); 4 bytes per span besides the spans.
  public func deduplicate() {
    guard order == nil else { return }
    widenShortTraceIDs()
    var sorted = (0..<UInt32(spansRead)).map { $0 }
    sorted.sort { leftPosition, rightPosition in
      let left = span(atStorage: leftPosition)
      let right = span(atStorage: rightPosition)
      if left.traceID.upperHalf != right.traceID.upperHalf { return left.traceID.upperHalf < right.traceID.upperHalf }
      if left.traceID.lowerHalf != right.traceID.lowerHalf { return left.traceID.lowerHalf < right.traceID.lowerHalf }
      if left.start / 1000 != right.start / 1000 { return left.start / 1000 < right.start / 1000 }
      if left.spanID != right.spanID { return left.spanID < right.spanID }
      if left.kind != right.kind { return left.kind.rawValue < right.kind.rawValue }
      return left.name < right.name
    }
    var kept: [UInt32] = []
    kept.reserveCapacity(sorted.count)
    var previous: SpanKey?
    for position in sorted {
      let key = span(atStorage: position).deduplicationKey
      if key == previous {
        duplicateSpans += 1
        continue
      }
      previous = key
      kept.append(position)
    }
    order = kept
    separateSharedSpans()
  }

  /// Zipkin's RPC halves may share one span id. As Jaeger's adjuster does, a shared server
  /// half whose client half is in the trace gets an id of its own with the client half as its
  /// parent, and the spans of the server's service that named the shared id move under it: the
  /// trace then has the tree Jaeger or OTLP would show.
  /// - Complexity: O(n) over the ordered spans, plus the spans that change.
  func separateSharedSpans() {
    guard let order else { return }
    var changes: [(position: UInt32, spanID: UInt64?, parentSpanID: UInt64)] = []
    do {
      let list = spans
      guard list.contains(where: { $0.flags.contains(.sharedServer) }) else { return }
      var low = 0
      while low < list.count {
        var high = low + 1
        while high < list.count && list[high].traceID == list[low].traceID { high += 1 }
        let servers = (low..<high).filter { list[$0].flags.contains(.sharedServer) }
        if !servers.isEmpty {
          let clients = Set((low..<high).lazy.filter { list[$0].kind == .client }.map { list[$0].spanID })
          var children: [UInt64: [Int]] = [:]
          for index in low..<high { children[list[index].parentSpanID, default: []].append(index) }
          for server in servers where clients.contains(list[server].spanID) {
            let shared = list[server].spanID
            let own = Self.sharedServerID(shared)
            for child in children[shared] ?? [] where child != server && list[child].service == list[server].service {
              changes.append((order[child], nil, own))
            }
            changes.append((order[server], own, shared))
          }
        }
        low = high
      }
    }
    // Applied once the snapshot is gone, so the chunks are changed in place, not copied.
    for change in changes {
      update(atStorage: change.position) { span in
        if let id = change.spanID { span.spanID = id }
        span.parentSpanID = change.parentSpanID
      }
    }
  }

  /// Joins the 64-bit form of a trace id with its 128-bit form (B3, Zipkin and old Jaeger
  /// keep the lower 64 bits; trace-formats.md §5.3): a span whose id has no upper half takes
  /// the upper half of the one 128-bit id with the same lower half, when there is exactly one.
  func widenShortTraceIDs() {
    var uppers: [UInt64: UInt64] = [:]
    var ambiguous: Set<UInt64> = []
    var hasShort = false
    for chunk in chunks {
      for span in chunk {
        let id = span.traceID
        if id.upperHalf == 0 { hasShort = true; continue }
        if let known = uppers[id.lowerHalf], known != id.upperHalf { ambiguous.insert(id.lowerHalf) } else { uppers[id.lowerHalf] = id.upperHalf }
      }
    }
    guard hasShort, !uppers.isEmpty else { return }
    for chunk in chunks.indices {
      for index in chunks[chunk].indices where chunks[chunk][index].traceID.upperHalf == 0 {
        let lower = chunks[chunk][index].traceID.lowerHalf
        if let upper = uppers[lower], !ambiguous.contains(lower) { chunks[chunk][index].traceID.upperHalf = upper }
      }
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

/// The spans of a store as a collection (a snapshot: later appends are not in it).
public struct SpanList: RandomAccessCollection {
  let chunks: [[Span]]
  let order: [UInt32]?
  public let count: Int

  public var startIndex: Int { 0 }
  public var endIndex: Int { count }

  public subscript(position: Int) -> Span {
    let storage = order.map { Int($0[position]) } ?? position
    return chunks[storage >> SpanStore.chunkShift][storage & (SpanStore.chunkSize - 1)]
  }
}

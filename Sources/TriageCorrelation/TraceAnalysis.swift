import TriageClassification
import TriageSpans
import TriageUnwrapping

/// A trace's health (CONTRACT.md `traces[].status`). `incomplete` outranks `error`.
public enum TraceStatus: String, Sendable, Comparable {
  case ok, error, incomplete

  public static func < (left: TraceStatus, right: TraceStatus) -> Bool { left.rank < right.rank }
  private var rank: Int {
    switch self {
    case .ok: 0
    case .error: 1
    case .incomplete: 2
    }
  }
}

/// Why a trace is `incomplete` (trace-formats.md §6.3).
public enum IncompleteReason: Sendable, Equatable {
  /// A span whose parent is in no dump: the parent never ended (it was never exported).
  case orphan(span: SpanLabel, missingParent: UInt64)
  /// No span is a root, and the top span is not an entry point called from an untraced edge.
  case rootless
  /// A client span to a traced service, with no server span under it.
  case clientWithoutServer(span: SpanLabel, callee: String)
  /// The dump says the span never ended.
  case neverEnded(span: SpanLabel)

  /// One sentence for reports.
  public var explanation: String {
    switch self {
    case .orphan(let span, let parent):
      let hex = String(parent, radix: 16)
      return "\(span) has parent \(String(repeating: "0", count: 16 - hex.count))\(hex), which is in no dump (it never ended)"
    case .rootless: return "no span of the trace is its root"
    case .clientWithoutServer(let span, let callee): return "\(span) called \(callee), which is traced, but no server span answered"
    case .neverEnded(let span): return "\(span) never ended"

    }
  }
}

/// A span named for reports: `service/operation`.
public struct SpanLabel: Sendable, Hashable, CustomStringConvertible {
  public var service: String
  public var name: String
  public var description: String { "\(service.isEmpty ? "?" : service)/\(name.isEmpty ? "?" : name)" }

  public init(service: String, name: String) {
    self.service = service
    self.name = name
  }
}

/// The crash a trace is tied to, and why.
public struct CrashTie: Sendable {
  /// Index into the findings the analysis was given.
  public var findingIndex: Int
  public var category: CrashCategory
  public var service: String
  public var time: Timestamp?
  /// The evidence, in one sentence.
  public var reason: String
}

/// One trace after the join: spans, health, log events and the crash that ended it.
public struct TraceAnalysis: Sendable {
  public var traceID: TraceID
  public var status: TraceStatus = .ok
  public var reasons: [IncompleteReason] = []
  public var services: [String] = []
  public var spanCount = 0
  public var errorCount = 0
  public var rootCount = 0
  public var orphanCount = 0
  public var root: SpanLabel?
  /// The span that started last: the furthest point the request reached.
  public var lastSpan: SpanLabel?
  /// Nanoseconds since the epoch.
  public var start: Int64?
  public var end: Int64?
  /// The log events that carry its id.
  public var logEvents = 0
  /// Indexes into the correlated findings of its log events.
  public var findingIndexes: [Int] = []
  public var crash: CrashTie?
  /// How many crashes it was in flight at (from logs; a poison request is at every one).
  public var crashesInFlight = 0
  /// The incidents it died in (set by ``IncidentBuilder``).
  public var incidentIDs: [String] = []
  /// Where its spans are in the (deduplicated, sorted) span store.
  public var spanRange: Range<Int> = 0..<0
  /// Known only from a trace summary (no spans read).
  public var isSummaryOnly = false

  public init(traceID: TraceID) { self.traceID = traceID }
}

import TriageInput
import TriageUnwrapping

/// What was read from one source, and what became of every line.
///
/// Accounting rule: `eventLines + skippedLines.total == framing.lines`. Every physical line
/// is either in an event (counted in its `line_count`) or skipped for a stated reason.
public struct SourceStatistics: Sendable {
  /// Why a line is in no event.
  public struct SkippedLines: Sendable, Equatable {
    /// Empty or whitespace-only lines outside any event (and trailing ones trimmed off).
    public var blank = 0
    /// Lines of a span or OTLP dump: read as spans and log records, not as lines.
    public var dump = 0
    public var total: Int { blank + dump }
  }

  public var framing = FramingCounts()
  /// Logical records after docker/CRI parts were joined.
  public var records = 0
  public var events = 0
  /// Sum of every event's `lineCount`.
  public var eventLines = 0
  /// Multi-line events (stack traces) per language.
  public var tracesByLanguage: [TraceLanguage: Int] = [:]
  public var skippedLines = SkippedLines()
  /// Spans read, when the source is a span dump.
  public var spans = 0
  /// Events that hit the line or byte cap.
  public var truncatedEvents = 0
  /// Records per format (layers + payload format), to show what was detected.
  public var formats: [FormatLayers: Int] = [:]
  /// Interned services seen.
  public var services: Set<ServiceTable.ID> = []
  public var firstTime: Timestamp?
  public var lastTime: Timestamp?
  /// Some timestamps had no year and one was assumed.
  public var assumedYear = false

  public init() {}

  /// Whether every physical line is accounted for.
  public var isBalanced: Bool { eventLines + skippedLines.total == framing.lines }
}

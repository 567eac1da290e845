import TriageInput
import TriageUnwrapping

/// The language whose multi-line rules assembled an event.
public enum TraceLanguage: String, Sendable, CaseIterable {
  case python, java, javascript, dotnet, go, ruby, php, rust, dart
  /// CPython's faulthandler report (`Fatal Python error: …`).
  case pythonFatal = "python-fatal"
  /// V8's out-of-memory report (`<--- Last few GCs --->` … `JavaScript heap out of memory`).
  case nodeFatal = "node-fatal"
}

/// One assembled event: a single record, or a multi-line stack trace with its header line.
///
/// An event is borrowed: `text` points into buffers that are reused, so it is valid only
/// during the ``EventSink/consume(_:)`` call that hands it over. Copy what you keep.
public struct Event {
  /// The payloads of its records joined with `\n` (transport wrappings removed).
  public var text: UnsafeBufferPointer<UInt8>
  /// The first physical line in the source (1-based).
  public var lineNumber: Int
  /// Physical lines the event spans, including lines dropped by the cap.
  public var lineCount: Int
  /// Interned service name (resolve with the run's ``ServiceTable``).
  public var service: ServiceTable.ID?
  public var stream: OutputStream?
  /// The first timestamp its records state, in UTC.
  public var time: Timestamp?
  /// The timestamp had no year; the year was assumed.
  public var timeLacksYear = false
  /// The most severe level its records state.
  public var level: LogLevel?
  /// The transport layers and payload format of its first record.
  public var layers: FormatLayers
  /// The language of the stack trace, for multi-line events.
  public var language: TraceLanguage?
  /// The first trace id its records state in a structured field.
  public var traceID: TraceID?
  /// A process id stated by the transport (journald, syslog).
  public var processID: Int32?
  /// The event hit the line or byte cap; lines past it were counted but not kept.
  public var isTruncated = false

  /// The format name for reports: transport layers, then the trace language or the
  /// payload format (`docker-compose+python`, `cri+json`).
  public var formatName: String {
    guard let language else { return layers.name }
    let transport = layers.subtracting([.json, .logfmt, .klog, .python, .celery, .text])
    return transport.isEmpty ? language.rawValue : transport.name + "+" + language.rawValue
  }
}

/// Receives events in input order (by first line) for each source.
public protocol EventSink {
  /// A new source starts; its events follow.
  mutating func begin(source: TextSource)
  /// One event of the current source. The event's bytes are valid only during the call.
  mutating func consume(_ event: Event)
  /// The current source ended.
  mutating func end(source: TextSource, statistics: SourceStatistics)
}

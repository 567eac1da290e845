import TriageInput

/// Which output stream a line was written to, where the transport says.
public enum OutputStream: UInt8, Sendable {
  case stdout
  case stderr

  public var name: String { self == .stdout ? "stdout" : "stderr" }
}

/// One logical log line after its transport wrappings were removed.
///
/// A record is borrowed: `payload` (and `timeText`) point into buffers that are reused for the
/// next line, so they are valid only during the call that hands the record over.
public struct Record {
  /// The text with compose/kubectl prefixes, docker/CRI envelopes, journald and syslog headers
  /// and ANSI codes removed. An app's own format (JSON, logfmt, Python logging) stays as it is.
  public var payload: UnsafeBufferPointer<UInt8>
  /// The first physical line of this record in its source (1-based).
  public var lineNumber: Int
  /// How many physical lines it spans (more than 1 when docker or CRI split it into parts).
  public var physicalLines: Int
  /// The physical line of its last part (parts of one stream need not be adjacent).
  public var lastLineNumber: Int
  /// The raw bytes of the outermost timestamp found, parsed only when needed.
  public var timeText: UnsafeBufferPointer<UInt8>?
  /// The shape of `timeText`.
  public var timeShape: TimestampShape = .iso
  /// The level the record states (JSON/logfmt key, a level word, syslog priority …).
  public var level: LogLevel?
  /// Interned service name (see ``ServiceTable``), or nil.
  public var service: ServiceTable.ID?
  /// Interned identity of the stream it came from within its source (compose service,
  /// pod/container, journald identifier and pid), or nil for the source's only stream.
  public var streamIdentity: ServiceTable.ID?
  /// stdout or stderr, where the transport says.
  public var stream: OutputStream?
  /// A process id the transport states (journald, syslog).
  public var processID: Int32?
  /// A trace id stated in a structured field (JSON or logfmt key).
  public var traceID: TraceID?
  /// The layers it was wrapped in and its payload format.
  public var layers: FormatLayers = []
  /// The line was longer than the cap and was cut.
  public var wasCut = false

  public init(payload: UnsafeBufferPointer<UInt8>, lineNumber: Int, physicalLines: Int = 1) {
    self.payload = payload
    self.lineNumber = lineNumber
    self.physicalLines = physicalLines
    self.lastLineNumber = lineNumber + physicalLines - 1
  }

  /// Parses `timeText`.
  /// - Parameter year: the year to assume for shapes that have none (syslog, klog).
  public func time(assumingYear year: Int) -> Timestamp? {
    guard let timeText else { return nil }
    return timeText.timestamp(timeShape, at: 0, year: year)?.0
  }
}

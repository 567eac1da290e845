import TriageInput

/// How severe a record says it is: swift-log's seven levels, least to most severe, so logs
/// from swift-log map one to one. Other vocabularies fold in (`warn` → warning, `fatal`,
/// `panic`, `emerg`, `alert`, `crit` → critical, `verbose` → debug, `LOG` → info).
public enum LogLevel: String, Sendable, CaseIterable, Comparable, Codable {
  /// Finest-grained tracing.
  case trace
  /// Debugging detail.
  case debug
  /// Normal operation.
  case info
  /// Normal but significant.
  case notice
  /// Something unexpected that did not stop the work.
  case warning
  /// An operation failed.
  case error
  /// The process or service cannot go on.
  case critical

  private var rank: Int {
    switch self {
    case .trace: 0
    case .debug: 1
    case .info: 2
    case .notice: 3
    case .warning: 4
    case .error: 5
    case .critical: 6
    }
  }

  public static func < (left: LogLevel, right: LogLevel) -> Bool { left.rank < right.rank }

  /// The level named by a word (any case), or nil if the word is not a level name.
  ///
  /// Accepts full names and common abbreviations: `TRACE`, `DEBUG`/`DBG`, `INFO`/`INF`/`LOG`,
  /// `NOTICE`, `WARN`/`WARNING`/`WRN`, `ERROR`/`ERR`, `CRITICAL`/`CRIT`/`FATAL`/`PANIC`/
  /// `EMERG`/`ALERT`/`SEVERE`. Single letters are not accepted here (see ``init(klogLetter:)``).
  /// - Complexity: O(word length).
  public init?(word: UnsafeBufferPointer<UInt8>) {
    let length = word.count
    guard length >= 3 && length <= 9 else { return nil }
    var folded: UInt64 = 0
    for byte in word {
      guard byte.isWordByte else { return nil }
      folded = folded << 8 | UInt64(byte | 0x20)
    }
    guard let level = Self.vocabulary.first(where: { $0.0 == folded })?.1 else { return nil }
    self = level
  }

  /// Level words folded to lowercase and packed into 64 bits (the last 8 bytes of the word).
  private static let vocabulary: [(UInt64, LogLevel)] = ([
    ("info", .info), ("error", .error), ("warn", .warning), ("warning", .warning), ("debug", .debug),
    ("err", .error), ("inf", .info), ("log", .info), ("dbg", .debug), ("wrn", .warning),
    ("trace", .trace), ("trc", .trace), ("verbose", .debug), ("notice", .notice), ("eror", .error),
    ("critical", .critical), ("crit", .critical), ("fatal", .critical), ("panic", .critical),
    ("emerg", .critical), ("alert", .critical), ("severe", .critical), ("emergency", .critical),
  ] as [(String, LogLevel)]).map { (fold($0.0), $0.1) }

  /// klog/glog's first letter: `I`, `W`, `E`, `F`.
  public init?(klogLetter: UInt8) {
    switch klogLetter {
    case UInt8(ascii: "I"): self = .info
    case UInt8(ascii: "W"): self = .warning
    case UInt8(ascii: "E"): self = .error
    case UInt8(ascii: "F"): self = .critical
    default: return nil
    }
  }

  /// A syslog severity (0 emerg … 7 debug), as in an RFC 5424 PRI or journald's PRIORITY.
  public init?(syslogSeverity: Int) {
    switch syslogSeverity {
    case 0, 1, 2: self = .critical
    case 3: self = .error
    case 4: self = .warning
    case 5: self = .notice
    case 6: self = .info
    case 7: self = .debug
    default: return nil
    }
  }

  private static func fold(_ text: String) -> UInt64 {
    var folded: UInt64 = 0
    for byte in text.utf8 { folded = folded << 8 | UInt64(byte) }  // longer words keep their last 8 bytes
    return folded
  }
}

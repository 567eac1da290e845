/// What happened, in the words of shared/design/CONTRACT.md (the `category` field).
public enum CrashCategory: String, Sendable, CaseIterable, Codable, Comparable {
  case oom
  case segfault
  case connectionRefused = "connection-refused"
  case traceback
  case killed
  case terminated
  case timeout
  case deadlock
  case crashloop
  case config
  case missingBinary = "missing-binary"
  case heartbeat

  /// Order of specificity when one event gives several findings: the cause outranks the symptom.
  var specificity: Int {
    switch self {
    case .oom: 0
    case .segfault: 1
    case .deadlock: 2
    case .missingBinary: 3
    case .config: 4
    case .connectionRefused: 5
    case .timeout: 6
    case .killed: 7
    case .crashloop: 8
    case .heartbeat: 9
    case .traceback: 10
    case .terminated: 11
    }
  }

  public static func < (left: CrashCategory, right: CrashCategory) -> Bool { left.specificity < right.specificity }

  /// A process died: out of memory, a native crash, or a kill (crashes, as reports count them).
  public var isProcessDeath: Bool { self == .oom || self == .segfault || self == .killed }
}

/// How sure a pattern is that its match means what its category says.
public enum Confidence: String, Sendable, CaseIterable, Codable, Comparable {
  case weak, strong, definitive

  private var rank: Int { self == .weak ? 0 : self == .strong ? 1 : 2 }
  public static func < (left: Confidence, right: Confidence) -> Bool { left.rank < right.rank }
}

/// Where a pattern's regex runs.
public enum PatternScope: String, Sendable, Codable {
  /// On each line of an event (the line-scope regex never sees line breaks).
  case line
  /// On the whole event text (`^`/`$` match at line breaks).
  case event
}

/// Extra meaning a pattern's captures carry.
/// What a pattern's line is in the story of a crash, beyond its category (docs/patterns.md,
/// `role:`), for correlation to weigh it.
public enum PatternRole: String, Sendable, Codable {
  case none
  /// The first line of a kernel OOM report (`X invoked oom-killer`): it names the task that
  /// was allocating, not the victim, and a new report starts with it.
  case oomReportStart = "oom-report-start"
  /// A crash the process reports when it starts again (`database system was not properly
  /// shut down`): the line is dated at the restart, and is the restart.
  case toldOnRestart = "told-on-restart"
}

public enum PatternInterpretation: String, Sendable, Codable {
  case none
  /// The category comes from the captured `exit_code` or `signal` (docs/patterns.md).
  case exitStatus = "exit-status"
}

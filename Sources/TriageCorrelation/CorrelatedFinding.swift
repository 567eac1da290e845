import TriageClassification
import TriageUnwrapping

/// A finding kept for correlation: who, when, what.
public struct CorrelatedFinding: Sendable {
  /// The pattern that matched (shared, not copied: signature, title and remediation).
  public let compiled: PatternCatalog.Compiled
  public var category: CrashCategory
  public var confidence: Confidence
  public var service: ServiceTable.ID?
  /// The service a line names when the line itself has none (compose's `worker-1 exited with
  /// code 137` names its container).
  public var namedService: String?
  public var time: Timestamp?
  /// The line had no time: ``time`` is that of the source's last event before it.
  public var timeIsInferred = false
  public var source: String
  public var line: Int
  public var captures: [String: String]
  public var traceID: TraceID?
  public var text: String
  /// One of the first few findings of its kind: it keeps its text and all its captures (the
  /// others keep only the captures correlation reads).
  public var isExemplar = true
  /// An out-of-memory exception a process survives (a Python MemoryError traceback, a Java
  /// OutOfMemoryError: an `oom` finding of a language in ``survivableLanguages``), unlike an
  /// exit, a signal, the kernel's kill or a runtime's fatal error (Go's `fatal error`, Node's
  /// heap report, Python's faulthandler).
  public var isRuntimeException = false
  /// Its event ended the process (Node's `Node.js v…` trailer after an uncaught error): the
  /// service went down with it, whatever its category.
  public var endedProcess = false
  /// The thread its event ended (an uncaught exception in a thread the process outlives:
  /// a listener or consumer that silently stops working).
  public var deadThread: String?
  /// For exemplars: the first lines of the events before it in its source (`--context`).
  public var context: [String] = []
  /// The signature's fingerprint: it groups the same bug.
  public var fingerprint = ""

  public var signature: String { compiled.pattern.id }
  public var role: PatternRole { compiled.pattern.role }
  public var title: String { compiled.pattern.title }
  /// What to check next.
  public var remediation: String { compiled.pattern.remediation }

  /// A finding that says a process died: out of memory, a native crash, or a kill (not an
  /// exception the process survives).
  public var isCrash: Bool { category.isProcessDeath && !isRuntimeException }

  /// The languages whose exceptions a process usually survives (a task fails, the worker lives).
  static let survivableLanguages: Set<String> = ["python", "java", "javascript", "dotnet", "ruby", "php", "dart"]
}

extension Finding {
  /// The service the matched line names in a capture (compose's `worker-1 exited with code
  /// 137` names its container), for lines that carry no service of their own.
  var namedService: String? { captures["pod"].map(PodReference.name) ?? captures["container"] ?? captures["service"] }
}

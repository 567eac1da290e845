import TriageClassification
import TriageUnwrapping

/// A finding kept for correlation: who, when, what. A view of one record of a
/// ``FindingStore`` (reading a field is O(1); strings come from the store's shared tables).
public struct CorrelatedFinding: Sendable {
  let record: FindingStore.Record
  let tables: FindingStore.Tables

  init(record: FindingStore.Record, tables: FindingStore.Tables) {
    self.record = record
    self.tables = tables
  }

  /// The pattern that matched (shared, not copied: signature, title and remediation).
  public var compiled: PatternCatalog.Compiled { tables.patterns[Int(record.pattern)] }
  public var category: CrashCategory { record.category }
  public var confidence: Confidence { record.confidence }
  public var service: ServiceTable.ID? { record.service < 0 ? nil : record.service }
  /// The service a line names when the line itself has none (compose's `worker-1 exited with
  /// code 137` names its container).
  public var namedService: String? { record.extras < 0 ? nil : tables.extras[Int(record.extras)].namedService }
  public var time: Timestamp? { record.time == .min ? nil : Timestamp(millisecondsSinceEpoch: record.time) }
  /// The line had no time: ``time`` is that of the source's last event before it, or of a
  /// later line of its block (`kubectl describe`'s `Finished:`).
  public var timeIsInferred: Bool { record.flags.contains(.timeIsInferred) }
  /// ``time`` is that of a later line of its block (`kubectl describe`'s `Finished:`, to the
  /// second), not of the line before it.
  public var timeIsFromBlock: Bool { record.flags.contains(.timeFromBlock) }
  public var source: String { tables.strings[Int(record.source)] }
  /// Whether two findings come from the same source (without reading its name).
  public func hasSameSource(as other: CorrelatedFinding) -> Bool { record.source == other.record.source }
  public var line: Int { Int(record.line) }
  public var captures: [String: String] { record.captures < 0 ? [:] : tables.captureSets[Int(record.captures)] }
  public var traceID: TraceID? { record.traceID < 0 ? nil : tables.traceIDs[Int(record.traceID)] }
  /// The evidence text (findings kept whole; empty for the others).
  public var text: String { record.extras < 0 ? "" : tables.extras[Int(record.extras)].text }
  /// One of the first few findings of its kind: it keeps its text and all its captures (the
  /// others keep only the captures correlation reads).
  public var isExemplar: Bool { record.flags.contains(.isExemplar) }
  /// An out-of-memory exception a process survives (a Python MemoryError traceback, a Java
  /// OutOfMemoryError: an `oom` finding of a language in ``survivableLanguages``), unlike an
  /// exit, a signal, the kernel's kill or a runtime's fatal error (Go's `fatal error`, Node's
  /// heap report, Python's faulthandler).
  public var isRuntimeException: Bool { record.flags.contains(.isRuntimeException) }
  /// Its event ended the process (Node's `Node.js v…` trailer after an uncaught error): the
  /// service went down with it, whatever its category.
  public var endedProcess: Bool { record.flags.contains(.endedProcess) }
  /// The thread its event ended (an uncaught exception in a thread the process outlives:
  /// a listener or consumer that silently stops working).
  public var deadThread: String? { record.extras < 0 ? nil : tables.extras[Int(record.extras)].deadThread }
  /// For exemplars: the first lines of the events before it in its source (`--context`).
  public var context: [String] { record.extras < 0 ? [] : tables.extras[Int(record.extras)].context }
  /// The signature's fingerprint: it groups the same bug.
  public var fingerprint: String { tables.strings[Int(record.fingerprint)] }

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

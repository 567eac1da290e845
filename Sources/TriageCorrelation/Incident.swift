import TriageClassification
import TriageUnwrapping

/// How urgent an incident is, from the escalation rules of on-call runbooks (CONTRACT.md).
public enum Severity: String, Sendable, Comparable, CaseIterable {
  case info, low, medium, high, critical

  public static func < (left: Severity, right: Severity) -> Bool { left.rank < right.rank }
  var rank: Int { Self.allCases.firstIndex(of: self)! }
}

/// One crash or failure as it happened once: possibly several findings (the kernel's OOM
/// report, the supervisor's exit line, the runtime's own message) on one service at one time.
public struct Occurrence: Sendable {
  public var service: String
  public var time: Timestamp?
  public var category: CrashCategory
  /// Indexes into the run's findings: all the evidence of this occurrence.
  public var findingIndexes: FindingIndexes
}

/// Findings of one kind on one service, grouped: what broke, how often, when, how bad.
public struct Incident: Sendable {
  public var id: String
  public var title: String
  public var severity: Severity
  public var category: CrashCategory
  /// The service as named by its instances' common name (`worker` for `worker-1`, `worker-2`).
  public var service: String
  /// The instances involved, as the logs name them.
  public var services: [String]
  public var fingerprint: String
  public var occurrences: [Occurrence]
  public var firstSeen: Timestamp?
  public var lastSeen: Timestamp?
  /// When the service came back after each occurrence (crash loops).
  public var restarts: [Timestamp] = []
  /// Trace ids that died in it (incomplete traces tied to its crashes).
  public var traceIDs: [TraceID] = []
  /// The incident this one follows from, with the evidence that links them.
  public var causedBy: (id: String, evidence: String)?
  /// What to check next (the remediation of its most confident signature).
  public var next: String
  /// Why the severity is what it is.
  public var severityReason: String
  /// The finding that speaks for the incident (its title and next step come from it).
  public var leadFindingIndex: Int?

  public var count: Int { occurrences.count }
  public var findingIndexes: [Int] { occurrences.flatMap(\.findingIndexes) }
}

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
///
/// 40 bytes (a run may have a quarter of a million): the time is stored as an integer, and
/// the fields are laid out without padding.
public struct Occurrence: Sendable {
  public var service: String
  /// Indexes into the run's findings: all the evidence of this occurrence.
  public var findingIndexes: FindingIndexes
  public var category: CrashCategory
  private var milliseconds: Int64  // Int64.min: no time

  public init(service: String, time: Timestamp?, category: CrashCategory, findingIndexes: FindingIndexes) {
    self.service = service
    self.findingIndexes = findingIndexes
    self.category = category
    self.milliseconds = time?.millisecondsSinceEpoch ?? .min
  }

  public var time: Timestamp? {
    get { milliseconds == .min ? nil : Timestamp(millisecondsSinceEpoch: milliseconds) }
    set { milliseconds = newValue?.millisecondsSinceEpoch ?? .min }
  }
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

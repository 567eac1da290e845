import TriageUnwrapping

/// What the log events said about one trace id.
public struct TraceLogEvidence: Sendable {
  public var traceID: TraceID
  public var events = 0
  public var firstTime: Timestamp?
  public var lastTime: Timestamp?
  /// The last time each service (up to ``TraceLogIndex/servicesPerTrace``) logged for it.
  public var lastTimeByService: [(service: ServiceTable.ID, time: Timestamp?)] = []
  /// Indexes into ``TraceLogIndex/crashes`` and ``TraceLogIndex/findings`` of its events' findings.
  public var findingIndexes: [Int] = []
  /// The most severe level its events stated.
  public var worstLevel: LogLevel?
  /// Crash findings (indexes into ``TraceLogIndex/findings``) of a service the trace was in
  /// flight on: it logged there within the window before the crash and had not logged a
  /// completion since. At most 8, earliest first.
  public var crashFindingIndexes: [Int] = []

  init(traceID: TraceID) { self.traceID = traceID }
}

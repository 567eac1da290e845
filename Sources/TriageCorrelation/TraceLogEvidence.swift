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

/// The evidence of every indexed trace id, keyed by the id's lower 64 bits: the entries in
/// one array, in the order their ids were first seen, and a small index of positions (a
/// dictionary of whole entries would keep a bucket of the entry's size for every free slot).
///
/// Lookup and insertion are O(1) on average.
public struct TraceEvidenceTable: Sequence, Sendable {
  private var entries: [TraceLogEvidence] = []
  private var positions: [UInt64: Int32] = [:]

  public init() {}

  public var count: Int { entries.count }

  /// The evidence for `key` (a trace id's lower half), if indexed.
  public subscript(key: UInt64) -> TraceLogEvidence? {
    guard let position = positions[key] else { return nil }
    return entries[Int(position)]
  }

  /// The position of `key`'s entry, adding an entry for `traceID` when there is none.
  mutating func position(of key: UInt64, adding traceID: TraceID) -> Int {
    if let position = positions[key] { return Int(position) }
    positions[key] = Int32(entries.count)
    entries.append(TraceLogEvidence(traceID: traceID))
    return entries.count - 1
  }

  func position(of key: UInt64) -> Int? { positions[key].map(Int.init) }

  /// Changes the entry at `position` in place.
  mutating func update(at position: Int, _ body: (inout TraceLogEvidence) -> Void) { body(&entries[position]) }

  public func makeIterator() -> some IteratorProtocol<(key: UInt64, value: TraceLogEvidence)> {
    entries.lazy.map { (key: $0.traceID.lowerHalf, value: $0) }.makeIterator()
  }
}

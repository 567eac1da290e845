import TriageUnwrapping

/// What the log events said about one trace id. 72 bytes: times and counts are stored as
/// plain integers behind the optional-typed properties (a report indexes up to 100,000 ids).
public struct TraceLogEvidence: Sendable {
  public var traceID: TraceID
  private var firstMilliseconds = Int64.min  // Int64.min: none
  private var lastMilliseconds = Int64.min
  /// Indexes into ``TraceLogIndex/findings`` of its events' findings.
  public var findingIndexes: [Int] = []
  /// Crash findings (indexes into ``TraceLogIndex/findings``) of a service the trace was in
  /// flight on: it logged there within the window before the crash and had not logged a
  /// completion since. At most 8, earliest first.
  public var crashFindingIndexes: [Int] = []
  private var eventCount: UInt32 = 0
  /// The services that logged for it, the first ``TraceLogIndex/servicesPerTrace``.
  public var services = TraceServices()
  /// The most severe level its events stated.
  public var worstLevel: LogLevel?

  init(traceID: TraceID) { self.traceID = traceID }

  /// Its log events (counted up to 4 Gi).
  public var events: Int {
    get { Int(eventCount) }
    set { eventCount = UInt32(clamping: newValue) }
  }

  public var firstTime: Timestamp? {
    get { firstMilliseconds == .min ? nil : Timestamp(millisecondsSinceEpoch: firstMilliseconds) }
    set { firstMilliseconds = newValue?.millisecondsSinceEpoch ?? .min }
  }

  public var lastTime: Timestamp? {
    get { lastMilliseconds == .min ? nil : Timestamp(millisecondsSinceEpoch: lastMilliseconds) }
    set { lastMilliseconds = newValue?.millisecondsSinceEpoch ?? .min }
  }
}

/// Up to four service ids, stored inline (no allocation per trace: a report indexes up to
/// 100,000 traces).
public struct TraceServices: RandomAccessCollection, Sendable {
  public static var capacity: Int { 4 }
  private var ids: (ServiceTable.ID, ServiceTable.ID, ServiceTable.ID, ServiceTable.ID) = (-1, -1, -1, -1)
  private var stored: UInt8 = 0

  public init() {}

  public var startIndex: Int { 0 }
  public var endIndex: Int { Int(stored) }

  public subscript(position: Int) -> ServiceTable.ID {
    switch position {
    case 0: ids.0
    case 1: ids.1
    case 2: ids.2
    default: ids.3
    }
  }

  /// Adds `service` unless it is there or four are.
  public mutating func insert(_ service: ServiceTable.ID) {
    guard !contains(service), count < Self.capacity else { return }
    switch stored {
    case 0: ids.0 = service
    case 1: ids.1 = service
    case 2: ids.2 = service
    default: ids.3 = service
    }
    stored += 1
  }
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

  /// Makes room for `capacity` entries at once: no rehashing or copying as they come (the
  /// room is address space until used).
  mutating func reserve(_ capacity: Int) {
    entries.reserveCapacity(capacity)
    positions.reserveCapacity(capacity)
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

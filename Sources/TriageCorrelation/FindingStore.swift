import TriageClassification
import TriageUnwrapping

/// The findings of a run, compact: one fixed-size record per finding (48 bytes, no
/// reference counting), its strings and capture sets each stored once in shared tables.
///
/// A 1 GiB log can hold hundreds of thousands of findings; as structs of strings and
/// dictionaries they took about 500 bytes each, and every copy retained a dozen references.
/// Reading a finding (`store[i]`) makes a ``CorrelatedFinding``, a view of its record.
///
/// Appending is O(1) amortized (plus a hash of its captures); reading a field is O(1).
public struct FindingStore: RandomAccessCollection, Sendable {
  /// One finding's facts; strings, capture sets and trace ids are indexes into ``Tables``.
  /// 48 bytes, no references.
  struct Record {
    var time: Int64  // Int64.min: none
    var traceID: Int32  // -1: none (most findings have none: the ids are in a side table)
    var service: ServiceTable.ID  // -1: none
    var line: UInt32  // saturated past 4 Gi lines
    var source: Int32
    var fingerprint: Int32
    var captures: Int32  // -1: none
    var extras: Int32  // -1: none (see ``Extras``)
    var pattern: Int32
    var category: CrashCategory
    var confidence: Confidence
    var flags: Flags
  }

  struct Flags: OptionSet {
    let rawValue: UInt8
    static let timeIsInferred = Flags(rawValue: 1)
    static let isExemplar = Flags(rawValue: 2)
    static let isRuntimeException = Flags(rawValue: 4)
    static let endedProcess = Flags(rawValue: 8)
    static let timeFromBlock = Flags(rawValue: 16)
  }

  /// What few findings have: the text and context of a finding kept whole, the service its
  /// line names, the thread it ended.
  struct Extras {
    var text: String
    var context: [String]
    var namedService: String?
    var deadThread: String?
  }

  /// The shared tables: append-only, so every copy of the store reads the same values.
  final class Tables: @unchecked Sendable {
    var patterns: [PatternCatalog.Compiled] = []
    var patternIndex: [ObjectIdentifier: Int32] = [:]
    var strings: [String] = []
    var stringIndex: [String: Int32] = [:]
    var captureSets: [[String: String]] = []
    /// Capture sets seen, for sharing (at most ``maximumSharedCaptureSets``; later sets are
    /// stored each time).
    var captureSetIndex: [[String: String]: Int32] = [:]
    var extras: [Extras] = []
    var traceIDs: [TraceID] = []

    static let maximumSharedCaptureSets = 4_096

    func intern(_ string: String) -> Int32 {
      if let index = stringIndex[string] { return index }
      let index = Int32(strings.count)
      strings.append(string)
      stringIndex[string] = index
      return index
    }

    func intern(_ compiled: PatternCatalog.Compiled) -> Int32 {
      let key = ObjectIdentifier(compiled)
      if let index = patternIndex[key] { return index }
      let index = Int32(patterns.count)
      patterns.append(compiled)
      patternIndex[key] = index
      return index
    }

    func intern(captures: [String: String]) -> Int32 {
      if captures.isEmpty { return -1 }
      if let index = captureSetIndex[captures] { return index }
      let index = Int32(captureSets.count)
      captureSets.append(captures)
      if captureSetIndex.count < Self.maximumSharedCaptureSets { captureSetIndex[captures] = index }
      return index
    }
  }

  var records = ChunkedArray<Record>()
  let tables = Tables()

  public init() {}

  public var startIndex: Int { 0 }
  public var endIndex: Int { records.count }

  public subscript(position: Int) -> CorrelatedFinding { CorrelatedFinding(record: records[position], tables: tables) }

  /// Dates an undated finding from a later line of its block (`kubectl describe`'s `Finished:`,
  /// to the second): the time is inferred, so a line of the same crash that states its own time
  /// (the kernel's, to the microsecond) dates the occurrence.
  mutating func date(_ position: Int, at time: Timestamp) {
    records[position].time = time.millisecondsSinceEpoch
    records[position].flags.formUnion([.timeIsInferred, .timeFromBlock])
  }

  /// Appends a finding.
  /// - Parameters:
  ///   - captures: what it captured (all of them for a finding kept whole, else those
  ///     correlation reads); sets seen before are shared.
  ///   - text: its evidence text; empty for findings not kept whole.
  ///   - context: the first lines of the events before it (exemplars, `--context`).
  mutating func append(
    compiled: PatternCatalog.Compiled, category: CrashCategory, confidence: Confidence, service: ServiceTable.ID?,
    namedService: String?, time: Timestamp?, timeIsInferred: Bool, source: String, line: Int, captures: [String: String],
    traceID: TraceID?, text: String, context: [String], fingerprint: String, isExemplar: Bool, isRuntimeException: Bool,
    endedProcess: Bool, deadThread: String?
  ) {
    var flags: Flags = []
    if timeIsInferred { flags.insert(.timeIsInferred) }
    if isExemplar { flags.insert(.isExemplar) }
    if isRuntimeException { flags.insert(.isRuntimeException) }
    if endedProcess { flags.insert(.endedProcess) }
    var extras: Int32 = -1
    if !text.isEmpty || !context.isEmpty || namedService != nil || deadThread != nil {
      extras = Int32(tables.extras.count)
      tables.extras.append(Extras(text: text, context: context, namedService: namedService, deadThread: deadThread))
    }
    records.append(
      Record(
        time: time?.millisecondsSinceEpoch ?? .min, traceID: traceID.map { tables.traceIDs.append($0); return Int32(tables.traceIDs.count - 1) } ?? -1,
        service: service ?? -1, line: UInt32(clamping: line), source: tables.intern(source), fingerprint: tables.intern(fingerprint),
        captures: tables.intern(captures: captures), extras: extras, pattern: tables.intern(compiled), category: category,
        confidence: confidence, flags: flags))
  }
}

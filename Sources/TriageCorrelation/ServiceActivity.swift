import TriageAssembly
import TriageClassification
import TriageInput
import TriageUnwrapping

/// What each service did around its crashes, gathered in one pass: when it was first and last
/// seen, its last healthy line before its first crash, its first error, and when it came back
/// after each crash (its first line after a crash finding: a restart banner, a new pid's output).
///
/// Events arrive in order within a source, which is where a service's lines and its crash lines
/// are. Memory: a few timestamps and two short texts per service.
public struct ServiceActivity<Inner: ClassifiedEventSink>: ClassifiedEventSink {
  public var inner: Inner
  /// Each service's record, by service id.
  public var services: [ServiceTable.ID: ServiceRecord] {
    var result: [ServiceTable.ID: ServiceRecord] = [:]
    for (id, record) in records.enumerated() where record.lastSource >= 0 { result[ServiceTable.ID(id)] = record }
    return result
  }
  /// Records indexed by service id (ids are dense: the run's service table counts from 0).
  private var records: [ServiceRecord] = []
  /// Lines this soon after a crash line are still the crash's own evidence, not a restart.
  public static var restartDelay: Int64 { 1_000 }
  /// Restarts kept per service (a crash loop of hours keeps the first ones).
  public static var maximumRestarts: Int { 1_000 }

  /// The run's service table: a crash line that names its service only in a capture
  /// (compose's `worker-1 exited with code 137`) counts for that service.
  public let servicesTable: ServiceTable?

  public init(inner: Inner, services: ServiceTable? = nil) {
    self.inner = inner
    self.servicesTable = services
  }

  public mutating func begin(source: TextSource) {
    sourceCount += 1
    inner.begin(source: source)
  }

  /// How many sources have begun: the current one's position.
  private var sourceCount = 0

  public mutating func consume(_ event: Event, findings: [Finding]) {
    defer { inner.consume(event, findings: findings) }
    if event.service == nil, let servicesTable,
      let named = findings.lazy.compactMap(\.namedService).first
    {
      // A crash line without a time of its own (compose's exit line) is the service's crash
      // at its last known time.
      let id = servicesTable.intern(named)
      if Int(id) < records.count, records[Int(id)].lastSource >= 0, let time = event.time ?? records[Int(id)].lastSeen,
        findings.contains(where: { $0.category.isProcessDeath })
      {
        if records[Int(id)].firstCrash == nil {
          records[Int(id)].firstCrash = time
          records[Int(id)].lastHealthy = records[Int(id)].latestHealthy
        }
        records[Int(id)].pendingCrash = time
      }
      return
    }
    guard let service = event.service, let time = event.time else { return }
    let crashes = findings.contains { $0.category.isProcessDeath } || (!findings.isEmpty && ProcessExit.ends(event))
    // A supervisor's restart line (`Scheduled restart job`) belongs to the crash: the restart
    // is a line after it.
    let schedulesRestart = findings.contains { $0.category == .crashloop }
    // A graceful stop (`Stopping …`, `received SIGTERM`) is no error.
    let failed = findings.contains { $0.category != .terminated } || (event.level ?? .info) >= .error
    guard service >= 0 else { return }
    while records.count <= Int(service) { records.append(ServiceRecord()) }
    // In place: a record copied out of the array would copy its buffers per line.
    Self.update(&records[Int(service)]) { record in
      if record.lastSource != sourceCount {
        if record.sourceStarts.count < Self.maximumRestarts { record.sourceStarts.append(time) }
        record.lastSource = sourceCount
      }
      record.firstSeen = min(record.firstSeen ?? time, time)
      record.lastSeen = max(record.lastSeen ?? time, time)
      if let pending = record.pendingCrash, !crashes, !schedulesRestart,
        time.millisecondsSinceEpoch - pending.millisecondsSinceEpoch >= Self.restartDelay
      {
        if record.restarts.count < Self.maximumRestarts { record.restarts.append(time) }
        record.pendingCrash = nil
      }
      if crashes {
        if record.firstCrash == nil {
          record.firstCrash = time
          record.lastHealthy = record.latestHealthy
        }
        record.pendingCrash = time
      } else if failed {
        if record.firstError == nil { record.firstError = (time, Self.summary(event.text)) }
      } else if record.firstCrash == nil {
        record.latestHealthyTime = time
        record.latestHealthyBytes.removeAll(keepingCapacity: true)
        record.latestHealthyBytes.append(contentsOf: event.text.firstLine(atMost: 200))
      }
    }
  }

  private static func update(_ record: inout ServiceRecord, _ body: (inout ServiceRecord) -> Void) { body(&record) }

  public mutating func end(source: TextSource, statistics: SourceStatistics) { inner.end(source: source, statistics: statistics) }

  /// The first line of an event, at most 200 bytes.
  static func summary(_ text: UnsafeBufferPointer<UInt8>) -> String {
    String(decoding: text.firstLine(atMost: 200), as: UTF8.self)
  }
}

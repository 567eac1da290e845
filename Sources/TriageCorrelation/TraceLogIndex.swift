import TriageAssembly
import TriageClassification
import TriageInput
import TriageUnwrapping

/// The captures every finding keeps: what links it to a service, a dependency or a process.
private let correlationKeys: Set<String> = ["dependency", "host", "port", "container", "service", "peer", "process", "child", "pod", "pod_uid"]

/// Words that say a request's work is done (matched in any case).
private let completionWords = ASCIIWordSet(["succeeded", "completed", "finished", " done"])

/// An event sink that indexes, per trace id, the log events that carry it, and keeps every
/// finding: the first ``wholeFindings`` of a run and the first ``exemplarsPerKind`` of each
/// kind whole (text and captures), the rest as the facts correlation needs (time, service,
/// category, fingerprint, a few captures), so a huge input keeps memory bounded.
///
/// It also notes which traces were in flight on a service when that service crashed: per
/// service, the last 256 traces that logged there (with the time, and whether the line read as
/// a completion: `succeeded`, `completed`, `finished`, `done`); a crash finding of the service
/// ties every unfinished one that logged within ``inFlightWindow`` before it. Events arrive
/// in order within a source, which is where a service's lines and its crash lines are.
///
/// Memory is bounded: at most ``maximumTraces`` trace ids are indexed (about 100 bytes each);
/// once full, only ids that already have an entry are counted, and ``unindexedEvents`` says
/// how many events were not. The index is keyed by the lower 64 bits of the id, so a 64-bit
/// id (B3, Jaeger, Datadog) finds its 128-bit form (trace-formats.md §5.3).
public struct TraceLogIndex<Inner: ClassifiedEventSink>: ClassifiedEventSink {
  public var inner: Inner
  public static var servicesPerTrace: Int { TraceServices.capacity }
  public var maximumTraces = 250_000
  public private(set) var traces = TraceEvidenceTable()
  public private(set) var findings = FindingStore()
  public private(set) var unindexedEvents = 0
  private var sourceName = ""
  /// Findings seen per kind (service, category, fingerprint), to pick the exemplars.
  private var exemplarCounts: [ExemplarKey: Int] = [:]

  struct ExemplarKey: Hashable {
    let service: ServiceTable.ID?
    let category: CrashCategory
    let fingerprint: String
  }

  /// Findings of one kind that keep their text and all their captures.
  public static var exemplarsPerKind: Int { 3 }
  /// Findings of a run that keep their text and all their captures, whatever their kind.
  public static var wholeFindings: Int { 5_000 }
  /// The captures every finding keeps: what links it to a service, a dependency or a language.
  private var lastTimeInSource: Timestamp?
  /// How long before a crash a trace's last line on the service may be to count as in flight
  /// (milliseconds). Long tasks log seldom: a worker may process one job for minutes.
  public var inFlightWindow: Int64 = 120_000
  /// Per service id (dense, from 0): its last 256 traces, oldest first.
  private var inFlight: [[(trace: UInt64, time: Timestamp, finished: Bool)]] = []

  /// The run's service table: a finding whose line names its service only in a capture
  /// (compose's `worker-1 exited with code 137`) gets that service.
  public let services: ServiceTable?

  /// Applied to the text and captures a finding keeps (reports redact by default), as it is
  /// stored, so no second copy of the findings is ever made.
  public var redact: ((String) -> String)?

  public init(inner: Inner, services: ServiceTable? = nil) {
    self.inner = inner
    self.services = services
  }

  public mutating func begin(source: TextSource) {
    sourceName = source.name
    lastTimeInSource = nil
    recentCount = 0
    undatedFindings.removeAll()
    inner.begin(source: source)
  }

  /// How many events before an exemplar finding it keeps (their first lines, redacted like
  /// its text), for reports that show the evidence in context.
  public var contextEvents = 0 {
    didSet {
      recent = [[UInt8]](repeating: [], count: contextEvents)
      recentTimes = [Timestamp?](repeating: nil, count: contextEvents)
    }
  }
  /// The first lines of the source's last ``contextEvents`` events, a ring (bytes reused),
  /// and their times.
  private var recent: [[UInt8]] = []
  private var recentTimes: [Timestamp?] = []
  private var recentCount = 0
  /// How far back context reaches: older lines (a boot log before an OOM report days later)
  /// are no context.
  static var contextSpan: Int64 { 10 * 60_000 }

  /// The ring's lines, oldest first, without those more than ``contextSpan`` before `time`.
  private func recentLines(before time: Timestamp?) -> [String] {
    let count = min(recentCount, contextEvents)
    return (0..<count).compactMap { offset in
      let slot = (recentCount - count + offset) % contextEvents
      if let time, let then = recentTimes[slot], time.millisecondsSinceEpoch - then.millisecondsSinceEpoch > Self.contextSpan { return nil }
      return String(decoding: recent[slot], as: UTF8.self)
    }
  }

  private mutating func remember(_ event: Event) {
    guard contextEvents > 0 else { return }
    let slot = recentCount % contextEvents
    recentTimes[slot] = event.time
    recent[slot].removeAll(keepingCapacity: true)
    if let service = event.service, let services {
      recent[slot].append(contentsOf: services.name(service).utf8)
      recent[slot].append(contentsOf: " | ".utf8)
    }
    recent[slot].append(contentsOf: event.text.firstLine(atMost: 200))
    recentCount += 1
  }

  /// The first 400 bytes of an event, or, when its match lies beyond them (the `FATAL ERROR`
  /// line after V8's GC report, the exception after Flask's frames), the event's first line,
  /// `…`, and 400 bytes from the matched line on (from 80 bytes before the match, when it lies
  /// in the event's first line).
  static func evidence(_ text: UnsafeBufferPointer<UInt8>, matchedAt offset: Int) -> String {
    let limit = 400
    guard offset >= limit - 80, offset < text.count else { return String(decoding: text.prefix(limit), as: UTF8.self) }
    var lineStart = offset
    while lineStart > 0 && text[lineStart - 1] != 0x0A { lineStart -= 1 }
    if lineStart == 0 {
      // A match far into one long line (a JSON log's `"stack":"…"`): from a little before it.
      return "…" + String(decoding: text[(offset - 80)...].prefix(limit), as: UTF8.self)
    }
    let firstLine = text.firstLine(atMost: 160)
    return String(decoding: firstLine, as: UTF8.self) + "\n…\n" + String(decoding: text[lineStart...].prefix(limit), as: UTF8.self)
  }

  public mutating func consume(_ event: Event, findings eventFindings: [Finding]) {
    var indexes: [Int] = []
    let correlationKeys = eventFindings.isEmpty ? [] : correlationKeys
    let endedProcess = !eventFindings.isEmpty && ProcessExit.ends(event)
    let deadThread = eventFindings.isEmpty ? nil : ProcessExit.deadThread(event)
    for finding in eventFindings {
      indexes.append(findings.count)
      // The first few findings of each kind keep their text and captures (the exemplars a
      // report shows); the rest keep the facts correlation needs, so memory stays small.
      let exemplarKey = ExemplarKey(service: event.service, category: finding.category, fingerprint: finding.fingerprint)
      let seen = exemplarCounts[exemplarKey, default: 0]
      let isExemplar = seen < Self.exemplarsPerKind
      let isWhole = isExemplar || findings.count < Self.wholeFindings
      exemplarCounts[exemplarKey] = seen + 1
      var captures = isWhole ? finding.captures : finding.captures.filter { correlationKeys.contains($0.key) }
      var text = isWhole ? Self.evidence(event.text, matchedAt: finding.matchOffset) : ""
      var context = isExemplar && contextEvents > 0 ? recentLines(before: event.time) : []
      if let redact {
        if !text.isEmpty { text = redact(text) }
        if !captures.isEmpty { captures = captures.mapValues(redact) }
        if !context.isEmpty { context = context.map(redact) }
      }
      if finding.category == .connectionRefused || finding.category == .timeout, let peer = Self.peerName(in: event.text) {
        // Node and Go report the refused address as an IP; the line often names the peer too.
        captures["peer"] = peer
      }
      var service = event.service
      var namedService: String?
      if service == nil, let named = finding.namedService {
        namedService = named
        service = services?.intern(named)
      }
      findings.append(
        compiled: finding.compiled, category: finding.category, confidence: finding.confidence, service: service,
        namedService: namedService, time: event.time ?? lastTimeInSource, timeIsInferred: event.time == nil && lastTimeInSource != nil,
        source: sourceName, line: event.lineNumber, captures: captures, traceID: event.traceID, text: text, context: context,
        fingerprint: finding.fingerprint, isExemplar: isExemplar,
        // Out of memory inside a runtime that reports it as an exception (MemoryError,
        // OutOfMemoryError): the process survives; a signal is a death wherever it is reported.
        isRuntimeException: finding.category == .oom
          && (finding.captures["language"].map(CorrelatedFinding.survivableLanguages.contains) ?? false),
        endedProcess: endedProcess, deadThread: deadThread)
    }
    if event.time == nil { dateFromBlock(event, newFindings: indexes) }
    if let time = event.time { lastTimeInSource = max(lastTimeInSource ?? time, time) }
    remember(event)
    for index in indexes where findings[index].isCrash { tieInFlightTraces(to: index) }
    if let traceID = event.traceID {
      let key = traceID.lowerHalf
      let position: Int?
      if traces.count < maximumTraces {
        if traces.count == 0 { traces.reserve(maximumTraces) }
        position = traces.position(of: key, adding: traceID)
      } else {
        position = traces.position(of: key)
        if position == nil { unindexedEvents += 1 }
      }
      if let position {
        traces.update(at: position) { Self.record(event, findingIndexes: indexes, in: &$0) }
        if let service = event.service, let time = event.time { noteInFlight(key, on: service, at: time, text: event.text) }
      }
    }
    inner.consume(event, findings: eventFindings)
  }

  private static func record(_ event: Event, findingIndexes: [Int], in evidence: inout TraceLogEvidence) {
    evidence.events += 1
    if evidence.traceID.upperHalf == 0, let full = event.traceID, full.upperHalf != 0 { evidence.traceID = full }
    if let time = event.time {
      evidence.firstTime = min(evidence.firstTime ?? time, time)
      evidence.lastTime = max(evidence.lastTime ?? time, time)
    }
    if let level = event.level { evidence.worstLevel = max(evidence.worstLevel ?? level, level) }
    evidence.findingIndexes.append(contentsOf: findingIndexes)
    if let service = event.service { evidence.services.insert(service) }
  }

  /// Undated findings among the source's last few lines (a `kubectl describe` block's `Reason:
  /// OOMKilled`, `Exit Code: 137`): (finding, line).
  private var undatedFindings: [(index: Int, line: Int)] = []
  /// How many lines after an undated finding its block's `Finished:` may come.
  static var blockLines: Int { 6 }

  /// Undated process deaths of a `kubectl describe` container state take the state's `Finished:`
  /// time (`Finished: Wed, 12 Nov 2025 14:51:09 +0000`), a few lines below them in the block:
  /// then the kernel's report of the same kill, or a log's last line before it, can be told
  /// the same crash.
  private mutating func dateFromBlock(_ event: Event, newFindings: [Int]) {
    undatedFindings.removeAll { event.lineNumber - $0.line > Self.blockLines }
    // Only a termination's own facts (`Reason: OOMKilled`, `Exit Code: 137`): a `State: Waiting`
    // block's `Reason: CrashLoopBackOff` above it is no part of that termination.
    for index in newFindings where findings.records[index].time == .min && findings.records[index].category.isProcessDeath {
      undatedFindings.append((index, event.lineNumber))
    }
    guard !undatedFindings.isEmpty, newFindings.isEmpty else { return }
    let text = event.text
    var start = 0
    while start < text.count, text[start] == 0x20 || text[start] == 0x09 { start += 1 }
    guard text.matches("Finished:", at: start) else { return }
    start += 9
    while start < text.count, text[start] == 0x20 { start += 1 }
    guard let finished = text.rfc1123Timestamp(at: start) else { return }
    for (index, _) in undatedFindings { findings.date(index, at: finished) }
    undatedFindings.removeAll()
  }

  private mutating func noteInFlight(_ trace: UInt64, on service: ServiceTable.ID, at time: Timestamp, text: UnsafeBufferPointer<UInt8>) {
    let finished = Self.readsAsCompletion(text)
    // In place (a copy out of the dictionary would copy the whole ring per event).
    guard service >= 0 else { return }
    while inFlight.count <= Int(service) { inFlight.append([]) }
    modify(&inFlight[Int(service)]) { recent in
      if let index = recent.lastIndex(where: { $0.trace == trace }) { recent.remove(at: index) }
      if recent.count >= 256 { recent.removeFirst() }
      recent.append((trace, time, finished))
    }
  }

  private func modify<Value>(_ value: inout Value, _ body: (inout Value) -> Void) { body(&value) }

  /// Ties the traces in flight on the crashed service to the crash, and forgets them there.
  private mutating func tieInFlightTraces(to findingIndex: Int) {
    let crash = findings[findingIndex]
    guard let service = crash.service, let time = crash.time, service >= 0, Int(service) < inFlight.count else { return }
    let recent = inFlight[Int(service)]
    var kept: [(trace: UInt64, time: Timestamp, finished: Bool)] = []
    for entry in recent {
      let age = time.millisecondsSinceEpoch - entry.time.millisecondsSinceEpoch
      if !entry.finished && age >= 0 && age <= inFlightWindow, let position = traces.position(of: entry.trace) {
        traces.update(at: position) { if $0.crashFindingIndexes.count < 8 { $0.crashFindingIndexes.append(findingIndex) } }
      } else if age <= inFlightWindow {
        kept.append(entry)
      }
    }
    inFlight[Int(service)] = kept
  }

  /// The peer a failed call names besides its address: a URL's host (`http://render-worker:8080/`)
  /// or a JSON `"host"` member, when it is a name rather than an IP.
  static func peerName(in text: UnsafeBufferPointer<UInt8>) -> String? {
    let head = UnsafeBufferPointer(rebasing: text.prefix(2048))
    var candidates: [UnsafeBufferPointer<UInt8>] = []
    if let scheme = head.firstIndex(of: "://") {
      let start = scheme + 3
      var end = start
      while end < head.count, head[end].isHostByte { end += 1 }
      candidates.append(head.slice(start, end))
    }
    if let key = head.firstIndex(of: "\"host\":\"") {
      let start = key + 8
      var end = start
      while end < head.count, head[end].isHostByte { end += 1 }
      candidates.append(head.slice(start, end))
    }
    for candidate in candidates where !candidate.isEmpty && candidate.contains(where: { $0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A }) {
      return String(decoding: candidate, as: UTF8.self)
    }
    return nil
  }

  /// Whether a line says its work is done (`succeeded in 0.12s`, `request completed`).
  static func readsAsCompletion(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
    completionWords.anyOccurs(in: UnsafeBufferPointer(rebasing: text.prefix(400)))
  }

  /// Frees the per-trace evidence once it has been analysed (``traces`` is empty after).
  public mutating func releaseTraceEvidence() { traces = TraceEvidenceTable() }

  public mutating func end(source: TextSource, statistics: SourceStatistics) {
    inner.end(source: source, statistics: statistics)
  }
}

extension UInt8 {
  /// A byte of a host name: letters, digits, `-`, `.`, `_`.
  var isHostByte: Bool {
    let lower = self | 0x20
    return (lower >= 0x61 && lower <= 0x7A) || (self >= 0x30 && self <= 0x39) || self == 0x2D || self == 0x2E || self == 0x5F
  }
}

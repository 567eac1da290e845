import TriageClassification
import TriageSpans
import TriageUnwrapping

/// Joins spans, the log events that carry trace ids and crash findings into traces with a
/// health, grouped where they stopped and tied to the crash that ended them.
///
/// Health follows shared/reference/trace-formats.md §6.3 and avoids the false positives of §7:
/// - `incomplete`: a span whose parent is in no dump (not when it only FOLLOWS_FROM or links
///   to its cause, nor when the parent is in another trace), no root at all (unless the one
///   top span is an entry point called from an untraced edge), a client span to a service
///   that is traced elsewhere in the dumps with no server span under it (a database, cache or
///   external API that has no spans is not a missing server side, and a client span whose
///   connect was refused needs none), a span that never ended.
///   Clock skew changes no verdict: nothing here compares a child's times with its parent's.
/// - `error`: otherwise, when a span has an error status (or, for a trace known only from
///   logs, when its events include an error or a finding).
/// - `ok`: everything else.
///
/// A trace is tied to a crash (an `oom`, `segfault` or `killed` finding; a kill with an OOM
/// report of its service or of the kernel within 10 s is that OOM) when it is incomplete and
/// its latest span on the crashed service started before the crash, within ``spanReach``. A
/// trace known only from logs (or incomplete without such a span) that was in flight on the
/// crashed service (see ``TraceLogIndex``) is tied too, as "may have been": logs rarely say
/// when a request ended, so its status stays.
/// - Complexity: O(s log s) for s spans (the store is sorted once), plus O(i × c × k) for i
///   incomplete traces of k spans and c crashes.
public struct TraceAnalyzer {
  /// The in-flight window the log index used (for the explanation).
  public var logWindow: Int64 = 120_000
  /// How long after an incomplete trace's last span started a crash of its service still ends it.
  public var spanReach: Int64 = 30 * 60_000

  public init() {}

  /// The input of an analysis.
  public struct Input {
    public var store: SpanStore
    public var evidence: TraceEvidenceTable
    public var findings: FindingStore
    public var serviceName: (ServiceTable.ID) -> String
    /// Whether traces known only from logs that look healthy (no error, no finding, no crash
    /// while in flight) are listed too; a report leaves them out and counts them.
    public var includesHealthyLogOnlyTraces = true

    public init(
      store: SpanStore, evidence: TraceEvidenceTable, findings: FindingStore, serviceName: @escaping (ServiceTable.ID) -> String
    ) {
      self.store = store
      self.evidence = evidence
      self.findings = findings
      self.serviceName = serviceName
    }
  }

  /// Every trace in the dumps and the logs: incomplete first, then error, then ok; each group
  /// by start time.
  public func analyze(_ input: Input) -> [TraceAnalysis] {
    let store = input.store
    store.deduplicate()
    let spans = store.spans
    let strings = store.strings
    var serviceIDs = Set<StringTable.ID>()
    for span in spans { serviceIDs.insert(span.service) }
    let traced = Set(serviceIDs.map { ServiceName.normalized(strings[$0]) }.filter { !$0.isEmpty })
    var traces: [TraceAnalysis] = []
    var traceCount = spans.isEmpty ? 0 : 1
    for index in spans.indices.dropFirst() where spans[index].traceID != spans[index - 1].traceID { traceCount += 1 }
    traces.reserveCapacity(traceCount + store.summaries.count + input.evidence.count)
    var joined: Set<UInt64> = []
    var low = 0
    while low < spans.count {
      var high = low + 1
      while high < spans.count && spans[high].traceID == spans[low].traceID { high += 1 }
      var trace = analyzeSpans(spans[low..<high], range: low..<high, store: store, traced: traced)
      if let evidence = lookUp(trace.traceID, in: input.evidence) {
        trace.logEvents = evidence.events
        trace.findingIndexes = evidence.findingIndexes
        joined.insert(evidence.traceID.lowerHalf)
      }
      traces.append(trace)
      low = high
    }
    let spanTraces = Set(traces.map(\.traceID))
    for summary in store.summaries where !spanTraces.contains(summary.traceID) {
      var trace = TraceAnalysis(traceID: summary.traceID)
      trace.isSummaryOnly = true
      trace.spanCount = summary.spanCount
      trace.errorCount = summary.errorSpanCount
      trace.orphanCount = summary.orphanSpanCount
      trace.services = summary.services
      trace.root = summary.rootService.map { SpanLabel(service: $0, name: summary.rootOperation ?? "") }
      trace.start = summary.start > 0 ? summary.start : nil
      trace.end = summary.end > 0 ? summary.end : nil
      trace.status = summary.orphanSpanCount > 0 ? .incomplete : summary.errorSpanCount > 0 ? .error : .ok
      traces.append(trace)
    }
    for (key, evidence) in input.evidence where !joined.contains(key) {
      if !input.includesHealthyLogOnlyTraces, evidence.findingIndexes.isEmpty, evidence.crashFindingIndexes.isEmpty,
        (evidence.worstLevel ?? .info) < .error
      {
        continue
      }
      var trace = TraceAnalysis(traceID: evidence.traceID)
      trace.logEvents = evidence.events
      trace.findingIndexes = evidence.findingIndexes
      trace.services = evidence.services.map { input.serviceName($0) }
      trace.start = evidence.firstTime.map(\.nanoseconds)
      trace.end = evidence.lastTime.map(\.nanoseconds)
      let failed = (evidence.worstLevel ?? .info) >= .error || !evidence.findingIndexes.isEmpty
      trace.status = failed ? .error : .ok
      traces.append(trace)
    }
    tieCrashes(&traces, input: input)
    // Sorted through an index and permuted in place: no second copy of the traces.
    var order = Array(traces.indices)
    order.sort { leftIndex, rightIndex in
      let left = traces[leftIndex]
      let right = traces[rightIndex]
      if left.status != right.status { return left.status > right.status }
      if left.start != right.start { return (left.start ?? .max) < (right.start ?? .max) }
      return (left.traceID.upperHalf, left.traceID.lowerHalf) < (right.traceID.upperHalf, right.traceID.lowerHalf)
    }
    traces.permute(to: order)
    return traces
  }

  func lookUp(_ traceID: TraceID, in evidence: TraceEvidenceTable) -> TraceLogEvidence? {
    guard let entry = evidence[traceID.lowerHalf], entry.traceID.matches(traceID) else { return nil }
    return entry
  }

  /// Health and shape of one trace's spans.
  func analyzeSpans(_ slice: Slice<SpanList>, range: Range<Int>, store: SpanStore, traced: Set<String>) -> TraceAnalysis {
    let spans = Array(slice)
    let strings = store.strings
    var trace = TraceAnalysis(traceID: spans[0].traceID)
    trace.spanRange = range
    trace.spanCount = spans.count
    let ids = Set(spans.map(\.spanID))
    let parents = Set(spans.map(\.parentSpanID))
    func label(_ span: Span) -> SpanLabel { SpanLabel(service: strings[span.service], name: strings[span.name]) }

    var orphans: [Span] = []
    // Spans that start the trace here: roots, and spans whose cause is elsewhere (another
    // trace, or a FOLLOWS_FROM/link to a span not in the dumps).
    var entries = 0
    for span in spans {
      if span.status == .error { trace.errorCount += 1 }
      if span.isRoot {
        trace.rootCount += 1
        entries += 1
        continue
      }
      if let other = store.parentTraceID(of: span) {
        if !store.contains(traceID: other, spanID: span.parentSpanID) { trace.orphanCount += 1 }
        entries += 1
        continue
      }
      guard !ids.contains(span.parentSpanID) else { continue }
      trace.orphanCount += 1
      if span.flags.contains(.followsFrom) { entries += 1 } else { orphans.append(span) }
    }
    // One top span called from an untraced edge (a SERVER or CONSUMER whose parent the dump
    // marks as remote, and whose caller has no spans) is the root in all but name.
    if entries == 0, orphans.count == 1, orphans[0].kind == .server || orphans[0].kind == .consumer,
      orphans[0].flags.contains(.parentIsRemote), spans.allSatisfy({ $0.start >= orphans[0].start })
    {
      orphans.removeAll()
    } else if entries == 0 {
      trace.reasons.append(.rootless)
    }
    for orphan in orphans { trace.reasons.append(.orphan(span: label(orphan), missingParent: orphan.parentSpanID)) }
    for span in spans {
      if span.flags.contains(.neverEnded) { trace.reasons.append(.neverEnded(span: label(span))) }
      // A refused connect explains its missing server span (a reset or hang-up does not: the
      // server may have died with the request).
      guard span.kind == .client, !parents.contains(span.spanID), span.remoteService != 0, !Self.wasRefused(span, strings: strings)
      else { continue }
      let callee = ServiceName.normalized(strings[span.remoteService])
      if traced.contains(callee) && callee != ServiceName.normalized(strings[span.service]) {
        trace.reasons.append(.clientWithoutServer(span: label(span), callee: strings[span.remoteService]))
      }
    }
    trace.status = !trace.reasons.isEmpty ? .incomplete : trace.errorCount > 0 ? .error : .ok

    var services: [String] = []
    var last: Span?
    var root: Span?
    for span in spans.sorted(by: { $0.start < $1.start }) {
      let service = strings[span.service]
      if !service.isEmpty && !services.contains(service) { services.append(service) }
      if last == nil || span.start >= last!.start { last = span }
      if span.isRoot && root == nil { root = span }
      if span.start > 0 { trace.start = min(trace.start ?? span.start, span.start) }
      if let end = span.end, span.start > 0 { trace.end = max(trace.end ?? end, end) }
    }
    trace.services = services
    trace.lastSpan = last.map(label)
    trace.root = root.map(label)
    return trace
  }

  /// A process death: where, when, what.
  struct CrashOccurrence {
    /// The finding that says the process died (a kill upgraded to an OOM keeps the kill's).
    var sourceIndex: Int
    var findingIndex: Int
    var category: CrashCategory
    var service: String
    var time: Timestamp
  }

  /// Crash findings by service and time. A kill is the OOM that is nearest to it within 10 s,
  /// when that OOM is of the same service or of no service (the kernel's report names a
  /// process, not a service); a line without a time takes its source's last time before it,
  /// so either may come first.
  func crashOccurrences(_ input: Input) -> [CrashOccurrence] {
    func serviceName(_ finding: CorrelatedFinding) -> String? { finding.service.map(input.serviceName) ?? finding.namedService }
    let ooms = input.findings.indices.filter { input.findings[$0].category == .oom && input.findings[$0].time != nil }
      .sorted { input.findings[$0].time! < input.findings[$1].time! }
    var occurrences: [CrashOccurrence] = []
    for (index, finding) in input.findings.enumerated() where finding.isCrash {
      guard let time = finding.time, let name = serviceName(finding), name != "kernel" else { continue }
      var occurrence = CrashOccurrence(sourceIndex: index, findingIndex: index, category: finding.category, service: name, time: time)
      if finding.category == .killed {
        // The nearest OOM report within 10 s, of this service or of the kernel.
        let nearest = ooms.nearest(
          to: time.millisecondsSinceEpoch, within: 10_000, time: { input.findings[$0].time!.millisecondsSinceEpoch },
          where: { candidate in
            let owner = serviceName(input.findings[candidate])
            return owner == nil || owner == "kernel" || ServiceName.matches(owner!, name)
          })
        if let nearest {
          occurrence.category = .oom
          occurrence.findingIndex = nearest
        }
      }
      occurrences.append(occurrence)
    }
    occurrences.sort { $0.time != $1.time ? $0.time < $1.time : $0.sourceIndex < $1.sourceIndex }
    return occurrences
  }

  /// Whether a span failed because its connection was refused (status message).
  static func wasRefused(_ span: Span, strings: StringTable) -> Bool {
    guard span.status == .error, span.statusMessage != 0 else { return false }
    let message = strings[span.statusMessage].lowercased()
    return message.contains("econnrefused") || message.contains("connection refused")
  }

  func tieCrashes(_ traces: inout [TraceAnalysis], input: Input) {
    let crashes = crashOccurrences(input)
    guard !crashes.isEmpty else { return }
    let strings = input.store.strings
    let spans = input.store.spans
    // The crash of a finding, by binary search over positions in finding order (a dictionary
    // of a crash loop's tens of thousands of crashes would cost megabytes).
    let byFinding = crashes.indices.sorted { crashes[$0].sourceIndex < crashes[$1].sourceIndex }
    func occurrence(ofFinding finding: Int) -> CrashOccurrence? {
      let position = byFinding.partitioningIndex { crashes[$0].sourceIndex >= finding }
      return position < byFinding.count && crashes[byFinding[position]].sourceIndex == finding ? crashes[byFinding[position]] : nil
    }
    for index in traces.indices where traces[index].status == .incomplete || traces[index].spanCount == 0 {
      let trace = traces[index]
      // The first crash of a service after the trace's latest span on that service started.
      if trace.status == .incomplete, !trace.spanRange.isEmpty {
        let traceSpans = spans[trace.spanRange]
        // A span whose parent is in no dump: the parent's process died after this span
        // started (its spans were never exported). The first crash after it, of a service of
        // the trace, is that death, even when no span of the crashed service started before it
        // (a retry's spans come later).
        let ids = Set(traceSpans.map(\.spanID))
        let orphan = traceSpans.filter {
          !$0.isRoot && !ids.contains($0.parentSpanID) && !$0.flags.contains(.followsFrom) && input.store.parentTraceID(of: $0) == nil
        }.min { $0.start < $1.start }
        if let orphan {
          let services = Set(traceSpans.map { ServiceName.normalized(strings[$0.service]) })
          let startMillis = orphan.start / 1_000_000
          let from = crashes.partitioningIndex { $0.time.millisecondsSinceEpoch >= startMillis - 1_000 }
          let crash = crashes[from...].prefix { $0.time.millisecondsSinceEpoch - startMillis <= spanReach }
            .first { crash in services.contains { ServiceName.matches(crash.service, $0) } }
          if let crash {
            let seconds = Double(crash.time.millisecondsSinceEpoch - startMillis) / 1000
            let label = SpanLabel(service: strings[orphan.service], name: strings[orphan.name])
            traces[index].crash = CrashTie(
              findingIndex: crash.findingIndex, category: crash.category, service: crash.service, time: crash.time,
              reason: "the parent of \(label) is in no dump: it died in \(crash.service)'s \(crash.category.rawValue) crash, \(seconds.formatted1)s after \(label) started")
            continue
          }
        }
        var tie: (crash: CrashOccurrence, span: Span)?
        // Crashes from the trace's first span on (binary search; they are in time order).
        let firstMillis = (traceSpans.map(\.start).min() ?? 0) / 1_000_000 - 1_000
        let from = crashes.partitioningIndex { $0.time.millisecondsSinceEpoch >= firstMillis }
        let lastMillis = (traceSpans.map(\.start).max() ?? 0) / 1_000_000
        for crash in crashes[from...] {
          if crash.time.millisecondsSinceEpoch - lastMillis > spanReach { break }
          let latest = traceSpans.filter {
            ServiceName.matches(crash.service, strings[$0.service]) && $0.start / 1_000_000 <= crash.time.millisecondsSinceEpoch + 1_000
          }.max { $0.start < $1.start }
          guard let latest, crash.time.millisecondsSinceEpoch - latest.start / 1_000_000 <= spanReach else { continue }
          tie = (crash, latest)
          break
        }
        if let (crash, span) = tie {
          let seconds = Double(crash.time.millisecondsSinceEpoch - span.start / 1_000_000) / 1000
          let label = SpanLabel(service: strings[span.service], name: strings[span.name])
          traces[index].crash = CrashTie(
            findingIndex: crash.findingIndex, category: crash.category, service: crash.service, time: crash.time,
            reason: "stopped at \(label) (started \(seconds.formatted1)s before \(crash.service)'s \(crash.category.rawValue) crash)")
          continue
        }
      }
      // In flight on the crashed service: it logged there shortly before the crash.
      guard let evidence = lookUp(trace.traceID, in: input.evidence), let first = evidence.crashFindingIndexes.first else { continue }
      let finding = input.findings[first]
      let service = finding.service.map(input.serviceName) ?? finding.namedService ?? "?"
      let occurrence = occurrence(ofFinding: first)
      let category = occurrence?.category ?? finding.category
      traces[index].crash = CrashTie(
        findingIndex: occurrence?.findingIndex ?? first, category: category, service: service, time: finding.time,
        reason: "it may have been in flight on \(service) when it crashed (\(category.rawValue)): it logged there within \(logWindow / 1000)s before, "
          + "with no completion logged"
          + (evidence.crashFindingIndexes.count > 1 ? "; so at \(evidence.crashFindingIndexes.count - 1) later crash(es)" : ""))
      traces[index].crashesInFlight = evidence.crashFindingIndexes.count
    }
  }

  /// Incomplete traces grouped by where they stopped (their last span), largest group first.
  public static func stoppedAt(_ traces: [TraceAnalysis]) -> [(span: SpanLabel, traces: [TraceID])] {
    var groups: [SpanLabel: [TraceID]] = [:]
    var order: [SpanLabel] = []
    for trace in traces where trace.status == .incomplete {
      guard let last = trace.lastSpan else { continue }
      if groups[last] == nil { order.append(last) }
      groups[last, default: []].append(trace.traceID)
    }
    return order.map { ($0, groups[$0]!) }.sorted { $0.traces.count > $1.traces.count }
  }
}

extension Array {
  /// Reorders the elements so that the element at `order[i]` moves to `i`, following cycles:
  /// O(n) moves and one bit of extra memory per element.
  mutating func permute(to order: [Int]) {
    var placed = [Bool](repeating: false, count: count)
    for start in indices where !placed[start] {
      var current = start
      let first = self[start]
      while true {
        placed[current] = true
        let next = order[current]
        if next == start {
          self[current] = first
          break
        }
        self[current] = self[next]
        current = next
      }
    }
  }
}

extension SpanStore {
  /// Whether a span with this trace and span id was read (after ``deduplicate()``).
  /// - Complexity: O(log n + spans of that trace).
  func contains(traceID: TraceID, spanID: UInt64) -> Bool {
    let spans = self.spans
    var low = spans.partitioningIndex { ($0.traceID.upperHalf, $0.traceID.lowerHalf) >= (traceID.upperHalf, traceID.lowerHalf) }
    while low < spans.count && spans[low].traceID == traceID {
      if spans[low].spanID == spanID { return true }
      low += 1
    }
    return false
  }
}

extension Double {
  /// One decimal: `12.3`.
  var formatted1: String {
    let tenths = (self * 10).rounded()
    return "\(Int(tenths) / 10).\(abs(Int(tenths) % 10))"
  }
}

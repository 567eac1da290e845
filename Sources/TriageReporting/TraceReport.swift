import TriageClassification
import TriageCorrelation
import TriageSpans
import TriageUnwrapping

/// Renders analysed traces: the JSON of CONTRACT.md `traces[]` (with the extra facts behind
/// each verdict), a terminal summary, and the waterfall of one trace with its log events.
public struct TraceReport {
  public let traces: [TraceAnalysis]
  public let store: SpanStore
  public let findings: FindingStore
  public let serviceName: (ServiceTable.ID) -> String
  /// Services whose spans stopped continuing their callers' traces.
  public var contextBreaks: [TraceContextBreak] = []

  public init(
    traces: [TraceAnalysis], store: SpanStore, findings: FindingStore, serviceName: @escaping (ServiceTable.ID) -> String
  ) {
    self.traces = traces
    self.store = store
    self.findings = findings
    self.serviceName = serviceName
  }

  // MARK: JSON

  /// `{"schema":"triage.traces/1","traces":[…],"stopped_at":[…],"spans_read":…}`, one
  /// document, written trace by trace (the output is never held whole).
  public func writeJSON(to writer: OutputWriter) {
    writer.withBuffer { out in
      out.append(contentsOf: #"{"schema":"triage.traces/1","spans_read":"#.utf8)
      out.append(contentsOf: "\(store.spansRead),\"duplicate_spans\":\(store.duplicateSpans),\"dumps\":".utf8)
      appendStrings(store.sources, to: &out)
      out.append(contentsOf: #","traces":["#.utf8)
    }
    for (index, trace) in traces.enumerated() {
      writer.withBuffer { out in
        if index > 0 { out.append(0x2C) }
        appendTrace(trace, to: &out)
      }
    }
    writer.withBuffer { out in
      out.append(contentsOf: #"],"stopped_at":["#.utf8)
      for (index, group) in TraceAnalyzer.stoppedAt(traces).enumerated() {
        if index > 0 { out.append(0x2C) }
        out.append(0x7B)
        TextEncoding.appendJSONMember("service", group.span.service, to: &out, first: true)
        TextEncoding.appendJSONMember("name", group.span.name, to: &out)
        out.append(contentsOf: ",\"count\":\(group.traces.count),\"trace_ids\":".utf8)
        appendStrings(group.traces.map(\.description), to: &out)
        out.append(0x7D)
      }
      out.append(contentsOf: "]}\n".utf8)
    }
  }

  func appendTrace(_ trace: TraceAnalysis, to out: inout [UInt8]) {
    out.append(0x7B)
    TextEncoding.appendJSONMember("trace_id", trace.traceID.description, to: &out, first: true)
    TextEncoding.appendJSONMember("status", trace.status.rawValue, to: &out)
    out.append(contentsOf: #","services":"#.utf8)
    appendStrings(trace.services, to: &out)
    out.append(contentsOf: ",\"span_count\":\(trace.spanCount),\"error_count\":\(trace.errorCount),\"log_events\":\(trace.logEvents)".utf8)
    out.append(contentsOf: ",\"root_count\":\(trace.rootCount),\"orphan_count\":\(trace.orphanCount)".utf8)
    out.append(contentsOf: #","root":"#.utf8)
    appendLabel(trace.root, to: &out)
    out.append(contentsOf: #","last_span":"#.utf8)
    appendLabel(trace.lastSpan, to: &out)
    out.append(contentsOf: #","start":"#.utf8)
    appendTime(trace.start, to: &out)
    out.append(contentsOf: #","end":"#.utf8)
    appendTime(trace.end, to: &out)
    out.append(contentsOf: #","incomplete_because":"#.utf8)
    appendStrings(trace.reasons.map(\.explanation), to: &out)
    out.append(contentsOf: #","findings":["#.utf8)
    for (index, findingIndex) in trace.findingIndexes.enumerated() {
      if index > 0 { out.append(0x2C) }
      appendFinding(findings[findingIndex], to: &out)
    }
    out.append(contentsOf: #"],"crash":"#.utf8)
    if let crash = trace.crash {
      out.append(0x7B)
      TextEncoding.appendJSONMember("category", crash.category.rawValue, to: &out, first: true)
      TextEncoding.appendJSONMember("service", crash.service, to: &out)
      out.append(contentsOf: #","time":"#.utf8)
      appendTime(crash.time.map(\.nanoseconds), to: &out)
      TextEncoding.appendJSONMember("reason", crash.reason, to: &out)
      out.append(contentsOf: ",\"crashes_in_flight\":\(trace.crashesInFlight),\"finding\":".utf8)
      appendFinding(findings[crash.findingIndex], to: &out)
      out.append(0x7D)
    } else {
      out.append(contentsOf: "null".utf8)
    }
    out.append(contentsOf: #","incident_ids":"#.utf8)
    appendStrings(trace.incidentIDs, to: &out)
    out.append(0x7D)
  }

  func appendFinding(_ finding: CorrelatedFinding, to out: inout [UInt8]) {
    out.append(0x7B)
    TextEncoding.appendJSONMember("category", finding.category.rawValue, to: &out, first: true)
    TextEncoding.appendJSONMember("signature", finding.signature, to: &out)
    TextEncoding.appendJSONMember("confidence", finding.confidence.rawValue, to: &out)
    out.append(contentsOf: #","service":"#.utf8)
    if let service = finding.service { TextEncoding.appendJSONString(serviceName(service), to: &out) } else { out.append(contentsOf: "null".utf8) }
    out.append(contentsOf: #","time":"#.utf8)
    appendTime(finding.time.map(\.nanoseconds), to: &out)
    out.append(contentsOf: #","source":{"path":"#.utf8)
    TextEncoding.appendJSONString(finding.source, to: &out)
    out.append(contentsOf: ",\"line\":\(finding.line)}}".utf8)
  }

  func appendLabel(_ label: SpanLabel?, to out: inout [UInt8]) {
    guard let label else { out.append(contentsOf: "null".utf8); return }
    out.append(0x7B)
    TextEncoding.appendJSONMember("service", label.service, to: &out, first: true)
    TextEncoding.appendJSONMember("name", label.name, to: &out)
    out.append(0x7D)
  }

  func appendTime(_ nanoseconds: Int64?, to out: inout [UInt8]) {
    guard let nanoseconds else { out.append(contentsOf: "null".utf8); return }
    out.append(0x22)
    Timestamp(millisecondsSinceEpoch: nanoseconds / 1_000_000).appendRFC3339(to: &out)
    out.append(0x22)
  }

  func appendStrings(_ strings: [String], to out: inout [UInt8]) {
    out.append(0x5B)
    for (index, string) in strings.enumerated() {
      if index > 0 { out.append(0x2C) }
      TextEncoding.appendJSONString(string, to: &out)
    }
    out.append(0x5D)
  }

  // MARK: Text

  /// A summary for the terminal: counts, where incomplete traces stopped, then the
  /// incomplete and failed traces (at most `limit` of each status), most severe first.
  public func renderText(limit: Int = 20) -> String {
    let incomplete = traces.lazy.filter { $0.status == .incomplete }
    let failed = traces.lazy.filter { $0.status == .error }
    let incompleteCount = incomplete.count
    let failedCount = failed.count
    let fromSpans = traces.count { $0.spanCount > 0 }
    var text = "\(traces.count) trace(s): \(incompleteCount) incomplete, \(failedCount) error, \(traces.count - incompleteCount - failedCount) ok"
    text += " (\(store.spans.count) spans in \(fromSpans) trace(s) from \(store.sources.count) dump(s)"
    if store.duplicateSpans > 0 { text += ", \(store.duplicateSpans) duplicate span(s) dropped" }
    text += "; \(traces.count - fromSpans) trace(s) known only from logs)\n"
    let groups = TraceAnalyzer.stoppedAt(traces)
    if !groups.isEmpty {
      text += "\nIncomplete traces, by where they stopped:\n"
      for group in groups {
        let crashes = Set(incomplete.filter { $0.lastSpan == group.span }.compactMap { $0.crash.map { "\($0.service) \($0.category.rawValue)" } })
        text += "  \(group.traces.count) trace(s) stopped at \(group.span)"
        if !crashes.isEmpty { text += ", tied to " + crashes.sorted().joined(separator: ", ") }
        text += "\n"
      }
    }
    if !contextBreaks.isEmpty {
      text += "\nContext lost:\n"
      for contextBreak in contextBreaks { text += "  \(contextBreak.summary)\n" }
    }
    let inFlight = traces.filter { $0.status != .incomplete && $0.crash != nil }.sorted { $0.crashesInFlight > $1.crashesInFlight }
    if !inFlight.isEmpty {
      text += "\nKnown from logs, possibly in flight at a crash (no completion logged; span dumps would tell):\n"
      for trace in inFlight.prefix(limit) {
        text += "  \(trace.traceID)  \(trace.services.joined(separator: ",").padding(toLength: 18)) at \(trace.crashesInFlight) crash(es)"
        if let crash = trace.crash { text += ", first \(crash.service) \(crash.category.rawValue)" }
        text += "\n"
      }
      if inFlight.count > limit { text += "  … and \(inFlight.count - limit) more\n" }
    }
    for (title, status, count) in [("Incomplete", TraceStatus.incomplete, incompleteCount), ("Error", .error, failedCount)] where count > 0 {
      text += "\n\(title) traces:\n"
      for trace in traces.lazy.filter({ $0.status == status }).prefix(limit) { text += line(for: trace) }
      if count > limit { text += "  … and \(count - limit) more (--format json lists them all)\n" }
    }
    return text
  }

  func line(for trace: TraceAnalysis) -> String {
    var text = "  \(trace.traceID)  \(trace.services.joined(separator: ",").padding(toLength: 18)) spans \(trace.spanCount)"
    if trace.errorCount > 0 { text += " errors \(trace.errorCount)" }
    if trace.logEvents > 0 { text += " logs \(trace.logEvents)" }
    if let last = trace.lastSpan { text += "  last \(last)" }
    text += "\n"
    if let reason = trace.reasons.first { text += "      incomplete: \(reason.explanation)\n" }
    if let crash = trace.crash { text += "      crash: \(crash.reason)\n" }
    return text
  }

  // MARK: Waterfall

  /// One log event to interleave with the spans.
  public struct LogLine: Sendable {
    public var time: Timestamp?
    public var service: String
    public var level: LogLevel?
    public var text: String

    public init(time: Timestamp?, service: String, level: LogLevel?, text: String) {
      self.time = time
      self.service = service
      self.level = level
      self.text = text
    }
  }

  /// The spans of `trace` as a tree with offsets and duration bars, missing parents marked,
  /// and its log events placed by time.
  public func renderWaterfall(_ trace: TraceAnalysis, logs: [LogLine], width: Int = 32) -> String {
    let strings = store.strings
    let spans = Array(store.spans[trace.spanRange])
    var text = "trace \(trace.traceID)  \(trace.status.rawValue)  \(trace.spanCount) span(s)"
    if trace.logEvents > 0 { text += ", \(trace.logEvents) log event(s)" }
    text += "\n"
    for reason in trace.reasons { text += "  incomplete: \(reason.explanation)\n" }
    if let crash = trace.crash { text += "  crash: \(crash.reason)\n" }
    let logTimes: [Int64] = logs.compactMap { $0.time.map(\.nanoseconds) }
    let spanStarts: [Int64] = spans.map(\.start).filter { $0 > 0 }
    let origin: Int64 = [trace.start, spanStarts.min(), logTimes.min()].compactMap { $0 }.min() ?? 0
    let finish: Int64 = max(trace.end ?? origin, logTimes.max() ?? origin)
    let total = max(Nanoseconds.subtract(finish, origin), 1)

    // Depth-first order: children under their parent, by start; spans whose parent is
    // missing start a subtree under a "missing parent" line.
    let ids = Set(spans.map(\.spanID))
    var children: [UInt64: [Int]] = [:]
    var tops: [Int] = []
    for (index, span) in spans.enumerated() {
      if span.isRoot || !ids.contains(span.parentSpanID) { tops.append(index) } else { children[span.parentSpanID, default: []].append(index) }
    }
    var rows: [(start: Int64, text: String)] = []
    var visited = Set<Int>()
    func visit(_ index: Int, depth: Int) {
      guard visited.insert(index).inserted else { return }
      let span = spans[index]
      let offset = Double(span.start) / 1_000_000 - Double(origin) / 1_000_000
      let indent = String(repeating: "  ", count: min(depth, 12))
      var row = "\(formatMilliseconds(offset).leftPadding(toLength: 10)) ms  \(bar(span, origin: origin, total: total, width: width))  \(indent)\(strings[span.service])/\(strings[span.name])"
      row += " [\(span.kind.name)]"
      if let duration = span.duration { row += " \(formatMilliseconds(Double(duration) / 1_000_000)) ms" } else { row += " (never ended)" }
      if span.status == .error { row += " ERROR" + (span.statusMessage != 0 ? ": \(strings[span.statusMessage])" : "") }
      rows.append((span.start, row))
      for child in (children[span.spanID] ?? []).sorted(by: { spans[$0].start < spans[$1].start }) { visit(child, depth: depth + 1) }
    }
    for top in tops.sorted(by: { spans[$0].start < spans[$1].start }) {
      let span = spans[top]
      if !span.isRoot {
        let hex = String(span.parentSpanID, radix: 16)
        rows.append((span.start, "\(String(repeating: " ", count: 13))  \(String(repeating: " ", count: width))  ⟂ missing parent \(String(repeating: "0", count: 16 - hex.count))\(hex) (never exported)"))
        visit(top, depth: 1)
      } else {
        visit(top, depth: 0)
      }
    }
    // Logs go after the last row that started before them.
    var output: [String] = []
    var pending = logs.sorted { ($0.time?.millisecondsSinceEpoch ?? .min) < ($1.time?.millisecondsSinceEpoch ?? .min) }[...]
    for row in rows {
      while let log = pending.first, let time = log.time, time.nanoseconds < row.start {
        output.append(logRow(log, origin: origin, width: width))
        pending = pending.dropFirst()
      }
      output.append(row.text)
    }
    for log in pending { output.append(logRow(log, origin: origin, width: width)) }
    return text + output.joined(separator: "\n") + "\n"
  }

  func logRow(_ log: LogLine, origin: Int64, width: Int) -> String {
    let offset = log.time.map { formatMilliseconds(Double($0.nanoseconds) / 1_000_000 - Double(origin) / 1_000_000) } ?? "?"
    let level = log.level.map { " \($0.rawValue)" } ?? ""
    return "\(offset.leftPadding(toLength: 10)) ms  \(String(repeating: "·", count: width))  ▸ log \(log.service)\(level): \(log.text)"
  }

  func bar(_ span: Span, origin: Int64, total: Int64, width: Int) -> String {
    // In Double and clamped: spans may start before the origin or outlast the trace.
    let scale = Double(width) / Double(total)
    let from = min(max((Double(span.start) - Double(origin)) * scale, 0), Double(width))
    let cells = span.duration.map { min(max(Double($0) * scale, 1), Double(width) - from) } ?? (Double(width) - from)
    let start = Int(from)
    let length = max(0, min(width - start, Int(cells.rounded())))
    var row = [Character](repeating: " ", count: width)
    for index in start..<(start + length) { row[index] = span.duration == nil ? "╌" : "█" }
    return String(row)
  }

  func formatMilliseconds(_ value: Double) -> String {
    guard value.isFinite, abs(value) < 1e15 else { return value < 0 ? "-∞" : "∞" }
    let hundredths = Int((value * 100).rounded())
    let sign = hundredths < 0 ? "-" : ""
    let magnitude = abs(hundredths)
    let fraction = magnitude % 100
    return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
  }
}

extension String {
  func padding(toLength length: Int) -> String { count >= length ? self : self + String(repeating: " ", count: length - count) }
  func leftPadding(toLength length: Int) -> String { count >= length ? self : String(repeating: " ", count: length - count) + self }
}

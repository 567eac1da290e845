import TriageAssembly
import TriageClassification
import TriageCorrelation
import TriageInput
import TriageSpans
import TriageUnwrapping

/// The whole analysis of a run (CONTRACT.md `triage report`): inputs, findings, incidents,
/// traces and the timeline, rendered as JSON or as text for a terminal.
public struct IncidentReport {
  public let inputs: [StatisticsReport.Entry]
  public let warnings: [InputWarning]
  public let findings: FindingStore
  public let incidents: [Incident]
  public let traces: TraceReport
  /// Healthy traces known only from logs, counted but not listed.
  public let omittedTraces: Int
  public let timeline: [TimelineEntry]
  /// Services whose spans stopped continuing their callers' traces.
  public let contextBreaks: [TraceContextBreak]
  public let serviceName: (ServiceTable.ID) -> String

  public init(
    inputs: [StatisticsReport.Entry], warnings: [InputWarning], findings: FindingStore, incidents: [Incident], traces: TraceReport,
    omittedTraces: Int = 0, timeline: [TimelineEntry], contextBreaks: [TraceContextBreak] = [],
    serviceName: @escaping (ServiceTable.ID) -> String
  ) {
    self.omittedTraces = omittedTraces
    self.contextBreaks = contextBreaks
    self.inputs = inputs
    self.warnings = warnings
    self.findings = findings
    self.incidents = incidents
    self.traces = traces
    self.timeline = timeline
    self.serviceName = serviceName
  }

  /// The most severe incident's severity, if any.
  public var worstSeverity: Severity? { incidents.map(\.severity).max() }

  // MARK: JSON

  /// One JSON document in the shape of CONTRACT.md (`schema: triage.report/1`), written piece
  /// by piece.
  public func writeJSON(to writer: OutputWriter) {
    writer.withBuffer { out in
      out.append(contentsOf: #"{"schema":"triage.report/1","inputs":["#.utf8)
      for (index, entry) in inputs.enumerated() {
        if index > 0 { out.append(0x2C) }
        let s = entry.statistics
        out.append(0x7B)
        TextEncoding.appendJSONMember("path", entry.source.name, to: &out, first: true)
        out.append(contentsOf: ",\"bytes\":\(s.framing.bytes),\"lines\":\(s.framing.lines),\"events\":\(s.events),\"skipped_lines\":\(s.skippedLines.total),\"spans\":\(s.spans),\"warnings\":".utf8)
        traces.appendStrings(warnings.filter { $0.source == entry.source.name }.map(\.message), to: &out)
        out.append(0x7D)
      }
      out.append(contentsOf: #"],"findings":["#.utf8)
    }
    for (index, finding) in findings.enumerated() {
      writer.withBuffer { out in
        if index > 0 { out.append(0x2C) }
        appendFinding(finding, id: index, to: &out)
      }
    }
    // Piece by piece, so the buffer is flushed as it fills (an incident may list a quarter of
    // a million finding ids).
    writer.withBuffer { out in out.append(contentsOf: #"],"incidents":["#.utf8) }
    for (index, incident) in incidents.enumerated() {
      if index > 0 { writer.withBuffer { $0.append(0x2C) } }
      appendIncident(incident, to: writer)
    }
    writer.withBuffer { out in out.append(contentsOf: "],\"omitted_traces\":\(omittedTraces),\"traces\":[".utf8) }
    for (index, trace) in traces.traces.enumerated() {
      writer.withBuffer { out in
        if index > 0 { out.append(0x2C) }
        traces.appendTrace(trace, to: &out)
      }
    }
    writer.withBuffer { out in out.append(contentsOf: #"],"timeline":["#.utf8) }
    for (index, entry) in timeline.enumerated() {
      writer.withBuffer { out in
        if index > 0 { out.append(0x2C) }
        out.append(contentsOf: #"{"time":"#.utf8)
        traces.appendTime(entry.time?.nanoseconds, to: &out)
        TextEncoding.appendJSONMember("service", entry.service, to: &out)
        TextEncoding.appendJSONMember("kind", entry.kind.rawValue, to: &out)
        TextEncoding.appendJSONMember("text", entry.text, to: &out)
        out.append(contentsOf: #","incident_id":"#.utf8)
        appendOptional(entry.incidentID, to: &out)
        out.append(0x7D)
      }
    }
    writer.withBuffer { out in out.append(contentsOf: "]}\n".utf8) }
  }

  func appendFinding(_ finding: CorrelatedFinding, id: Int, to out: inout [UInt8]) {
    out.append(0x7B)
    TextEncoding.appendJSONMember("id", "F\(id + 1)", to: &out, first: true)
    TextEncoding.appendJSONMember("category", finding.category.rawValue, to: &out)
    TextEncoding.appendJSONMember("signature", finding.signature, to: &out)
    TextEncoding.appendJSONMember("confidence", finding.confidence.rawValue, to: &out)
    TextEncoding.appendJSONMember("fingerprint", finding.fingerprint, to: &out)
    out.append(contentsOf: #","service":"#.utf8)
    appendOptional(finding.service.map(serviceName) ?? finding.namedService, to: &out)
    out.append(contentsOf: #","time":"#.utf8)
    traces.appendTime(finding.time?.nanoseconds, to: &out)
    out.append(contentsOf: ",\"time_inferred\":\(finding.timeIsInferred),\"source\":{\"path\":".utf8)
    TextEncoding.appendJSONString(finding.source, to: &out)
    out.append(contentsOf: ",\"line\":\(finding.line)},\"captures\":".utf8)
    FindingJSON.appendCaptures(finding.captures, to: &out)
    out.append(contentsOf: #","trace_ids":"#.utf8)
    traces.appendStrings(finding.traceID.map { [$0.description] } ?? [], to: &out)
    TextEncoding.appendJSONMember("title", finding.title, to: &out)
    TextEncoding.appendJSONMember("next", finding.remediation, to: &out)
    TextEncoding.appendJSONMember("text", finding.text, to: &out)
    out.append(0x7D)
  }

  /// One incident; its finding ids (a crash loop may have a quarter of a million) are sorted
  /// in place and written a few thousand at a time, never as strings.
  func appendIncident(_ incident: Incident, to writer: OutputWriter) {
    writer.withBuffer { out in appendIncidentHead(incident, to: &out) }
    var ids: [Int] = []
    ids.reserveCapacity(incident.occurrences.reduce(0) { $0 + $1.findingIndexes.count })
    for occurrence in incident.occurrences { ids.append(contentsOf: occurrence.findingIndexes) }
    ids.sort()
    var start = 0
    repeat {
      let end = min(start + 4_096, ids.count)
      writer.withBuffer { out in
        for position in start..<end {
          if position > 0 { out.append(0x2C) }
          out.append(contentsOf: "\"F\(ids[position] + 1)\"".utf8)
        }
      }
      start = end
    } while start < ids.count
    writer.withBuffer { out in appendIncidentTail(incident, to: &out) }
  }

  private func appendIncidentHead(_ incident: Incident, to out: inout [UInt8]) {
    out.append(0x7B)
    TextEncoding.appendJSONMember("id", incident.id, to: &out, first: true)
    TextEncoding.appendJSONMember("title", incident.title, to: &out)
    TextEncoding.appendJSONMember("severity", incident.severity.rawValue, to: &out)
    TextEncoding.appendJSONMember("severity_reason", incident.severityReason, to: &out)
    TextEncoding.appendJSONMember("category", incident.category.rawValue, to: &out)
    out.append(contentsOf: #","services":"#.utf8)
    traces.appendStrings(incident.services, to: &out)
    out.append(contentsOf: #","first_seen":"#.utf8)
    traces.appendTime(incident.firstSeen?.nanoseconds, to: &out)
    out.append(contentsOf: #","last_seen":"#.utf8)
    traces.appendTime(incident.lastSeen?.nanoseconds, to: &out)
    out.append(contentsOf: ",\"count\":\(incident.count),\"finding_ids\":[".utf8)
  }

  private func appendIncidentTail(_ incident: Incident, to out: inout [UInt8]) {
    out.append(contentsOf: #"],"trace_ids":"#.utf8)
    traces.appendStrings(incident.traceIDs.map(\.description), to: &out)
    out.append(contentsOf: #","restarts":["#.utf8)
    for (index, restart) in incident.restarts.enumerated() {
      if index > 0 { out.append(0x2C) }
      traces.appendTime(restart.nanoseconds, to: &out)
    }
    out.append(contentsOf: #"],"caused_by":"#.utf8)
    appendOptional(incident.causedBy?.id, to: &out)
    out.append(contentsOf: #","cause_evidence":"#.utf8)
    appendOptional(incident.causedBy?.evidence, to: &out)
    TextEncoding.appendJSONMember("next", incident.next, to: &out)
    out.append(0x7D)
  }

  func appendOptional(_ text: String?, to out: inout [UInt8]) {
    if let text { TextEncoding.appendJSONString(text, to: &out) } else { out.append(contentsOf: "null".utf8) }
  }

  // MARK: Text

  /// Most severe first, each incident with its "what to check next"; then the traces that
  /// died and the timeline (at most `timelineLimit` entries).
  public func renderText(timelineLimit: Int = 30) -> String {
    var text = ""
    let sources = inputs.count
    let lines = inputs.reduce(0) { $0 + $1.statistics.framing.lines }
    text += "\(incidents.count) incident(s) in \(sources) source(s), \(lines) lines, \(findings.count) finding(s)\n"
    if incidents.isEmpty { text += "No crash signature matched. `triage events --classify` shows every event with its findings.\n" }
    for incident in incidents {
      text += "\n[\(incident.severity.rawValue.uppercased())] \(incident.id) \(incident.title)\n"
      let first = incident.firstSeen.map(\.description) ?? "?"
      let last = incident.lastSeen.map(\.description) ?? "?"
      text += "  \(incident.category.rawValue) on \(incident.services.joined(separator: ", ")); \(incident.count) occurrence(s), \(first)"
      text += incident.count > 1 ? " … \(last)\n" : "\n"
      text += "  severity: \(incident.severityReason)\n"
      if !incident.restarts.isEmpty {
        text += "  restarts: " + incident.restarts.prefix(8).map(\.description).joined(separator: ", ") + (incident.restarts.count > 8 ? " …" : "") + "\n"
      }
      if let cause = incident.causedBy { text += "  caused by \(cause.id): \(cause.evidence)\n" }
      if !incident.traceIDs.isEmpty {
        text += "  \(incident.traceIDs.count) request(s) died in it: " + incident.traceIDs.prefix(3).map(\.description).joined(separator: ", ")
          + (incident.traceIDs.count > 3 ? " …" : "") + "\n"
      }
      text += "  next: \(incident.next)\n"
    }
    let incomplete = traces.traces.count { $0.status == .incomplete }
    if incomplete > 0 || !contextBreaks.isEmpty {
      text += "\nTraces: \(traces.traces.count + omittedTraces) (\(incomplete) incomplete)\n"
      for group in TraceAnalyzer.stoppedAt(traces.traces) { text += "  \(group.traces.count) stopped at \(group.span)\n" }
      for contextBreak in contextBreaks { text += "  context lost: \(contextBreak.summary)\n" }
    }
    if !timeline.isEmpty {
      text += "\nTimeline (UTC):\n"
      for entry in timeline.prefix(timelineLimit) {
        let time = entry.time.map(\.description) ?? "(no time)"
        text += "  \(time)  \(entry.service.padding(toLength: 12)) \(entry.kind.rawValue.padding(toLength: 12)) \(entry.text)\n"
      }
      if timeline.count > timelineLimit { text += "  … \(timeline.count - timelineLimit) more (--format json lists them all)\n" }
    }
    return text
  }
}

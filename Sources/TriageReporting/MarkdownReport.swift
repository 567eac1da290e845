import TriageClassification
import TriageCorrelation
import TriageUnwrapping

extension IncidentReport {
  /// The report as Markdown for an escalation or a post-mortem: a summary, the incidents table,
  /// the timeline, then per incident its evidence (the exemplar finding's text, in a fence no
  /// log text can close) and the requests that died in it. Table cells escape `|` and line
  /// breaks, so every row keeps its columns.
  public func renderMarkdown(timelineLimit: Int = 200) -> String {
    var text = "# Triage report\n\n"
    let lines = inputs.reduce(0) { $0 + $1.statistics.framing.lines }
    text += "\(incidents.count) incident(s) from \(inputs.count) source(s) (\(lines) lines), \(findings.count) finding(s)"
    if let worst = worstSeverity { text += "; most severe: **\(worst.rawValue)**" }
    text += ".\n\n## Incidents\n\n"
    if incidents.isEmpty {
      text += "No crash signature matched.\n\n"
    } else {
      text += "| id | severity | category | services | count | first seen | last seen | caused by | title |\n"
      text += "| --- | --- | --- | --- | ---: | --- | --- | --- | --- |\n"
      for incident in incidents {
        let cells = [
          incident.id, incident.severity.rawValue, incident.category.rawValue, incident.services.joined(separator: ", "), "\(incident.count)",
          incident.firstSeen.map(\.description) ?? "", incident.lastSeen.map(\.description) ?? "", incident.causedBy?.id ?? "", incident.title,
        ]
        text += "| " + cells.map(Self.cell).joined(separator: " | ") + " |\n"
      }
      text += "\n"
    }
    let incomplete = traces.traces.count { $0.status == .incomplete }
    if !traces.traces.isEmpty || omittedTraces > 0 {
      let errors = traces.traces.count { $0.status == .error }
      text += "## Traces\n\n\(traces.traces.count + omittedTraces) trace(s): \(incomplete) incomplete, \(errors) error.\n\n"
      for group in TraceAnalyzer.stoppedAt(traces.traces) { text += "- \(group.traces.count) stopped at `\(Self.inline(group.span.description))`\n" }
      for contextBreak in contextBreaks { text += "- Context lost: \(Self.inline(contextBreak.summary))\n" }
      text += "\n"
    }
    if !timeline.isEmpty {
      text += "## Timeline (UTC)\n\n| time | service | kind | what | incident |\n| --- | --- | --- | --- | --- |\n"
      for entry in timeline.prefix(timelineLimit) {
        let cells = [entry.time.map(\.description) ?? "(no time)", entry.service, entry.kind.rawValue, entry.text, entry.incidentID ?? ""]
        text += "| " + cells.map(Self.cell).joined(separator: " | ") + " |\n"
      }
      if timeline.count > timelineLimit { text += "\n\(timeline.count - timelineLimit) more entries: see the JSON report.\n" }
      text += "\n"
    }
    for incident in incidents {
      text += "## \(incident.id): \(Self.inline(incident.title))\n\n"
      text += "- **Severity:** \(incident.severity.rawValue) (\(Self.inline(incident.severityReason)))\n"
      text += "- **Services:** \(Self.inline(incident.services.joined(separator: ", ")))\n"
      if !incident.restarts.isEmpty {
        text += "- **Restarts:** " + incident.restarts.prefix(20).map(\.description).joined(separator: ", ") + (incident.restarts.count > 20 ? " …" : "") + "\n"
      }
      if let cause = incident.causedBy { text += "- **Caused by:** \(cause.id): \(Self.inline(cause.evidence))\n" }
      if !incident.traceIDs.isEmpty {
        text += "- **Requests that died in it:** " + incident.traceIDs.prefix(20).map { "`\($0)`" }.joined(separator: ", ") + (incident.traceIDs.count > 20 ? " …" : "") + "\n"
      }
      text += "- **Next:** \(Self.inline(incident.next))\n\n"
      // The exemplar: the finding that speaks for the incident, or else the most confident
      // kept evidence of its own category.
      let evidence = incident.occurrences.lazy.flatMap(\.findingIndexes).filter { findings[$0].isExemplar && !findings[$0].text.isEmpty }.map { findings[$0] }
      let lead = incident.leadFindingIndex.map { findings[$0] }.flatMap { $0.isExemplar && !$0.text.isEmpty ? $0 : nil }
      if let exemplar = lead ?? evidence.filter({ $0.category == incident.category }).max(by: { $0.confidence < $1.confidence }) ?? evidence.first {
        text += "Evidence (\(Self.inline(exemplar.source)):\(exemplar.line), \(Self.inline(exemplar.signature))"
          + (exemplar.context.isEmpty ? "" : ", after the \(exemplar.context.count) event(s) before it") + "):\n\n"
        text += Self.fenced((exemplar.context + [exemplar.text]).joined(separator: "\n")) + "\n"
      }
    }
    return text
  }

  /// A table cell: `|` escaped, line breaks as spaces, no control bytes.
  static func cell(_ text: String) -> String {
    inline(text).replacingAll("|", with: "\\|")
  }

  /// Text on one line (line breaks and control bytes as spaces) that renders as itself: `<`
  /// and `&` are entities, so log text cannot open an HTML tag in a Markdown viewer.
  static func inline(_ text: String) -> String {
    var result = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "<": result += "&lt;"
      case "&": result += "&amp;"
      case _ where scalar.value < 0x20 || scalar.value == 0x7F: result += " "
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result
  }

  /// A fenced code block whose fence is longer than any run of backticks in `text`.
  static func fenced(_ text: String) -> String {
    var longest = 0
    var run = 0
    for character in text {
      run = character == "`" ? run + 1 : 0
      longest = max(longest, run)
    }
    let fence = String(repeating: "`", count: max(3, longest + 1))
    return fence + "text\n" + text + (text.hasSuffix("\n") ? "" : "\n") + fence + "\n"
  }
}

extension String {
  /// Every occurrence of `target` replaced (no Foundation).
  func replacingAll(_ target: Character, with replacement: String) -> String {
    var result = ""
    for character in self { if character == target { result += replacement } else { result.append(character) } }
    return result
  }
}

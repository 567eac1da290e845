import TriageClassification
import TriageCorrelation
import TriageUnwrapping

extension IncidentReport {
  /// The report as one self-contained HTML file (no external assets): a summary, an inline
  /// SVG timeline with one lane per service marking crashes, restarts and errors, the incidents
  /// table, and per incident its evidence in a `<details>` that expands. Every piece of log
  /// text is HTML-escaped.
  public func renderHTML() -> String {
    var html = """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8"><title>Triage report</title>
      <style>
      body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222}
      table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
      .critical{background:#f8d7da}.high{background:#fde2c8}.medium{background:#fff3cd}.low{background:#e2f0fb}.info{background:#eee}
      pre{background:#f6f8fa;padding:8px;overflow-x:auto;white-space:pre-wrap}summary{cursor:pointer}
      svg text{font:11px sans-serif}
      </style></head><body>
      <h1>Triage report</h1>

      """
    let lines = inputs.reduce(0) { $0 + $1.statistics.framing.lines }
    html += "<p>\(incidents.count) incident(s) from \(inputs.count) source(s) (\(lines) lines), \(findings.count) finding(s)"
    if let worst = worstSeverity { html += "; most severe: <strong>\(worst.rawValue)</strong>" }
    html += ".</p>\n"
    html += timelineSVG()
    html += "<h2>Incidents</h2>\n<table><tr><th>id</th><th>severity</th><th>category</th><th>services</th><th>count</th><th>first seen</th><th>last seen</th><th>caused by</th><th>title</th></tr>\n"
    for incident in incidents {
      let cells = [
        incident.id, incident.severity.rawValue, incident.category.rawValue, incident.services.joined(separator: ", "), "\(incident.count)",
        incident.firstSeen.map(\.description) ?? "", incident.lastSeen.map(\.description) ?? "", incident.causedBy?.id ?? "", incident.title,
      ]
      html += "<tr class=\"\(incident.severity.rawValue)\">" + cells.map { "<td>\(Self.escape($0))</td>" }.joined() + "</tr>\n"
    }
    html += "</table>\n"
    for incident in incidents {
      html += "<h3 id=\"\(incident.id)\">\(incident.id): \(Self.escape(incident.title))</h3>\n<ul>\n"
      html += "<li><strong>Severity:</strong> \(incident.severity.rawValue) (\(Self.escape(incident.severityReason)))</li>\n"
      if !incident.restarts.isEmpty {
        html += "<li><strong>Restarts:</strong> " + Self.escape(incident.restarts.prefix(50).map(\.description).joined(separator: ", ")) + "</li>\n"
      }
      if let cause = incident.causedBy {
        html += "<li><strong>Caused by:</strong> <a href=\"#\(Self.escape(cause.id))\">\(Self.escape(cause.id))</a>: \(Self.escape(cause.evidence))</li>\n"
      }
      if !incident.traceIDs.isEmpty {
        html += "<li><strong>Requests that died in it:</strong> " + incident.traceIDs.prefix(50).map { "<code>\($0)</code>" }.joined(separator: ", ") + "</li>\n"
      }
      html += "<li><strong>Next:</strong> \(Self.escape(incident.next))</li>\n</ul>\n"
      for index in incident.findingIndexes.lazy.filter({ findings[$0].isExemplar }).prefix(5) {
        let finding = findings[index]
        html += "<details><summary>\(Self.escape(finding.signature)) at \(Self.escape(finding.source)):\(finding.line)</summary><pre>\(Self.escape((finding.context + [finding.text]).joined(separator: "\n")))</pre></details>\n"
      }
    }
    html += "</body></html>\n"
    return html
  }

  /// One lane per service; crashes as red marks, restarts green, other incidents amber, traces
  /// that stopped blue.
  func timelineSVG() -> String {
    let timed = timeline.filter { $0.time != nil }
    guard let first = timed.first?.time?.millisecondsSinceEpoch, let last = timed.last?.time?.millisecondsSinceEpoch else { return "" }
    var lanes: [String] = []
    for entry in timed where !lanes.contains(entry.service) { lanes.append(entry.service) }
    let width = 900.0
    let left = 140.0
    let span = Double(max(last - first, 1))
    let height = 24 * lanes.count + 30
    var svg = "<h2>Timeline (UTC)</h2>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width + left + 20))\" height=\"\(height)\" role=\"img\">\n"
    for (row, lane) in lanes.enumerated() {
      let y = 20 + row * 24
      svg += "<text x=\"0\" y=\"\(y + 4)\">\(Self.escape(lane))</text><line x1=\"\(Int(left))\" y1=\"\(y)\" x2=\"\(Int(left + width))\" y2=\"\(y)\" stroke=\"#ddd\"/>\n"
    }
    for entry in timed {
      guard let row = lanes.firstIndex(of: entry.service), let time = entry.time?.millisecondsSinceEpoch else { continue }
      let x = left + Double(time - first) / span * width
      let color: String
      switch entry.kind {
      case .crash: color = "#c0392b"
      case .restart: color = "#27ae60"
      case .trace: color = "#2e86c1"
      case .lastHealthy: color = "#999"
      case .error, .firstError: color = "#e67e22"
      }
      let y = 20 + row * 24
      svg += "<circle cx=\"\(Int(x))\" cy=\"\(y)\" r=\"5\" fill=\"\(color)\"><title>\(Self.escape((entry.time?.description ?? "") + " " + entry.kind.rawValue + ": " + entry.text))</title></circle>\n"
    }
    svg += "<text x=\"\(Int(left))\" y=\"\(height - 4)\">\(Self.escape(timed.first!.time!.description))</text>"
    svg += "<text x=\"\(Int(left + width))\" y=\"\(height - 4)\" text-anchor=\"end\">\(Self.escape(timed.last!.time!.description))</text>\n</svg>\n"
    return svg
  }

  /// Text for HTML: `& < > " '` as entities, control bytes (but line breaks and tabs) removed.
  static func escape(_ text: String) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": result += "&amp;"
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      case "\"": result += "&quot;"
      case "'": result += "&#39;"
      case "\n", "\t": result.unicodeScalars.append(scalar)
      case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value): result += "\u{FFFD}"
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result
  }
}

import TriageAssembly
import TriageClassification
import TriageInput
import TriageUnwrapping

/// Collects per-source statistics without writing events (`triage events --stats`), and
/// renders them as text or JSON.
public struct StatisticsReport: ClassifiedEventSink {
  /// One source's figures, with names resolved.
  public struct Entry: Sendable {
    public let source: TextSource
    public let statistics: SourceStatistics
    public let services: [String]
    public let formats: [(name: String, records: Int)]
    /// Findings per category.
    public let findings: [(category: String, count: Int)]
  }

  private let servicesTable: ServiceTable
  public private(set) var entries: [Entry] = []

  public init(services: ServiceTable) { self.servicesTable = services }

  private var findingCounts: [CrashCategory: Int] = [:]

  public mutating func begin(source: TextSource) { findingCounts = [:] }
  public mutating func consume(_ event: Event, findings: [Finding]) {
    for finding in findings { findingCounts[finding.category, default: 0] += 1 }
  }
  public mutating func end(source: TextSource, statistics: SourceStatistics) {
    var byName: [String: Int] = [:]
    for (layers, count) in statistics.formats { byName[layers.name, default: 0] += count }
    let formats = byName.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { (name: $0.key, records: $0.value) }
    let services = statistics.services.map { servicesTable.name($0) }.sorted()
    let findings = findingCounts.sorted { $0.key < $1.key }.map { (category: $0.key.rawValue, count: $0.value) }
    entries.append(Entry(source: source, statistics: statistics, services: services, formats: formats, findings: findings))
  }

  /// The report for people.
  public func renderText(warnings: [InputWarning], errors: [InputError]) -> String {
    var text = ""
    var totals = SourceStatistics()
    for entry in entries {
      let s = entry.statistics
      totals.framing.bytes += s.framing.bytes
      totals.framing.lines += s.framing.lines
      totals.events += s.events
      totals.eventLines += s.eventLines
      totals.skippedLines.blank += s.skippedLines.blank
      totals.spans += s.spans
      text += entry.source.name + (entry.source.wasCompressed ? "  (gzip)" : "") + "\n"
      text += "  formats   " + (entry.formats.isEmpty ? "none (empty)" : entry.formats.map { "\($0.name) \($0.records)" }.joined(separator: ", ")) + "\n"
      text += "  lines     \(s.framing.lines) (\(s.eventLines) in events, \(s.skippedLines.blank) blank skipped"
      if s.skippedLines.dump > 0 { text += ", \(s.skippedLines.dump) of a span dump: \(s.spans) spans" }
      if s.framing.cutLines > 0 { text += ", \(s.framing.cutLines) cut at the length cap" }
      text += ")\n"
      text += "  events    \(s.events)"
      if !s.tracesByLanguage.isEmpty {
        text += " (stack traces: " + s.tracesByLanguage.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ") + ")"
      }
      text += "\n"
      text += "  findings  " + (entry.findings.isEmpty ? "-" : entry.findings.map { "\($0.category) \($0.count)" }.joined(separator: ", ")) + "\n"
      text += "  services  " + (entry.services.isEmpty ? "-" : entry.services.joined(separator: ", ")) + "\n"
      if let first = s.firstTime, let last = s.lastTime {
        text += "  time      \(first) … \(last)" + (s.assumedYear ? " (year assumed)" : "") + "\n"
      } else {
        text += "  time      - (no timestamps)\n"
      }
      text += "  bytes     \(s.framing.bytes)\n"
    }
    text += "total: \(entries.count) source(s), \(totals.framing.bytes) bytes, \(totals.framing.lines) lines, \(totals.events) events, \(totals.skippedLines.blank) blank lines skipped"
    text += (totals.spans > 0 ? ", \(totals.spans) spans in span dumps" : "") + "\n"
    for warning in warnings { text += "warning: \(warning)\n" }
    for error in errors { text += "error: \(error)\n" }
    return text
  }

  /// The report for scripts: `{"inputs": [...], "warnings": [...], "errors": [...]}`.
  public func renderJSON(warnings: [InputWarning], errors: [InputError]) -> [UInt8] {
    var out: [UInt8] = []
    out.append(contentsOf: #"{"inputs":["#.utf8)
    for (index, entry) in entries.enumerated() {
      let s = entry.statistics
      if index > 0 { out.append(0x2C) }
      out.append(contentsOf: #"{"path":"#.utf8)
      TextEncoding.appendJSONString(entry.source.name, to: &out)
      out.append(contentsOf: ",\"compressed\":\(entry.source.wasCompressed),\"bytes\":\(s.framing.bytes),\"lines\":\(s.framing.lines),\"records\":\(s.records),\"events\":\(s.events),\"event_lines\":\(s.eventLines),\"skipped_lines\":\(s.skippedLines.total),\"skipped_by_reason\":{\"blank\":\(s.skippedLines.blank),\"span_dump\":\(s.skippedLines.dump)},\"spans\":\(s.spans),\"cut_lines\":\(s.framing.cutLines),\"truncated_events\":\(s.truncatedEvents)".utf8)
      out.append(contentsOf: #","formats":{"#.utf8)
      for (position, format) in entry.formats.enumerated() {
        if position > 0 { out.append(0x2C) }
        TextEncoding.appendJSONString(format.name, to: &out)
        out.append(contentsOf: ":\(format.records)".utf8)
      }
      out.append(contentsOf: #"},"traces":{"#.utf8)
      for (position, pair) in s.tracesByLanguage.sorted(by: { $0.key.rawValue < $1.key.rawValue }).enumerated() {
        if position > 0 { out.append(0x2C) }
        out.append(contentsOf: "\"\(pair.key.rawValue)\":\(pair.value)".utf8)
      }
      out.append(contentsOf: #"},"findings":{"#.utf8)
      for (position, pair) in entry.findings.enumerated() {
        if position > 0 { out.append(0x2C) }
        out.append(contentsOf: "\"\(pair.category)\":\(pair.count)".utf8)
      }
      out.append(contentsOf: #"},"services":["#.utf8)
      for (position, service) in entry.services.enumerated() {
        if position > 0 { out.append(0x2C) }
        TextEncoding.appendJSONString(service, to: &out)
      }
      out.append(contentsOf: "],\"first_time\":".utf8)
      out.append(contentsOf: (s.firstTime.map { "\"\($0)\"" } ?? "null").utf8)
      out.append(contentsOf: ",\"last_time\":".utf8)
      out.append(contentsOf: (s.lastTime.map { "\"\($0)\"" } ?? "null").utf8)
      out.append(contentsOf: ",\"year_assumed\":\(s.assumedYear)".utf8)
      out.append(contentsOf: #","warnings":["#.utf8)
      for (position, warning) in warnings.filter({ $0.source == entry.source.name }).enumerated() {
        if position > 0 { out.append(0x2C) }
        TextEncoding.appendJSONString(warning.message, to: &out)
      }
      out.append(contentsOf: "]}".utf8)
    }
    out.append(contentsOf: #"],"warnings":["#.utf8)
    for (position, warning) in warnings.enumerated() {
      if position > 0 { out.append(0x2C) }
      out.append(contentsOf: #"{"source":"#.utf8)
      TextEncoding.appendJSONString(warning.source, to: &out)
      out.append(contentsOf: #","kind":"#.utf8)
      TextEncoding.appendJSONString(warning.kind.rawValue, to: &out)
      out.append(contentsOf: #","message":"#.utf8)
      TextEncoding.appendJSONString(warning.message, to: &out)
      out.append(0x7D)
    }
    out.append(contentsOf: #"],"errors":["#.utf8)
    for (position, error) in errors.enumerated() {
      if position > 0 { out.append(0x2C) }
      out.append(contentsOf: #"{"source":"#.utf8)
      TextEncoding.appendJSONString(error.source, to: &out)
      out.append(contentsOf: #","message":"#.utf8)
      TextEncoding.appendJSONString(error.message, to: &out)
      out.append(0x7D)
    }
    out.append(contentsOf: "]}\n".utf8)
    return out
  }
}

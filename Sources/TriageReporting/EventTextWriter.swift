import TriageAssembly
import TriageClassification
import TriageInput
import TriageUnwrapping

/// Writes events for people: one block per event, a header line (source:line, service,
/// stream, time, level, format, line count) and the text indented under it.
///
/// Log text never reaches a terminal raw: control bytes are shown as `\xNN`.
public struct EventTextWriter: ClassifiedEventSink {
  private let output: OutputWriter
  private let services: ServiceTable
  private let usesColor: Bool
  private var sourceName = ""

  public init(output: OutputWriter, services: ServiceTable, usesColor: Bool) {
    self.output = output
    self.services = services
    self.usesColor = usesColor
  }

  public mutating func begin(source: TextSource) { sourceName = source.name }

  public mutating func consume(_ event: Event, findings: [Finding]) {
    var header = "\(sourceName):\(event.lineNumber)"
    if let service = event.service { header += "  \(services.name(service))" }
    if let stream = event.stream { header += " \(stream.name)" }
    if let time = event.time { header += "  \(time)" }
    if let level = event.level { header += "  \(level.rawValue.uppercased())" }
    header += "  [\(event.formatName)]"
    if event.lineCount > 1 { header += "  \(event.lineCount) lines" }
    if event.isTruncated { header += "  (truncated)" }
    let color = usesColor
    let severe = (event.level ?? .info) >= .error || event.language != nil || !findings.isEmpty
    output.withBuffer { out in
      if color { out.append(contentsOf: (severe ? "\u{1B}[1;31m" : "\u{1B}[2m").utf8) }
      var headerBytes: [UInt8] = []
      header.utf8.withContiguousStorageIfAvailable { TextEncoding.appendTerminalText($0, to: &headerBytes) }
      out.append(contentsOf: headerBytes)
      if color { out.append(contentsOf: "\u{1B}[0m".utf8) }
      out.append(0x0A)
      // The text, indented by two spaces per line.
      var lineStart = 0
      let text = event.text
      while lineStart <= text.count {
        let lineEnd = text.firstIndex(of: 0x0A, from: lineStart) ?? text.count
        out.append(0x20); out.append(0x20)
        TextEncoding.appendTerminalText(text.slice(lineStart, lineEnd), to: &out)
        out.append(0x0A)
        lineStart = lineEnd + 1
      }
      for finding in findings {
        var line = "  => \(finding.category.rawValue) (\(finding.confidence.rawValue)) \(finding.signature): \(finding.pattern.title)"
        let facts = finding.captures.filter { $0.key != "message" }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        if !facts.isEmpty { line += " [" + facts.joined(separator: " ") + "]" }
        line += "\n     next: \(finding.pattern.remediation)\n"
        if color { out.append(contentsOf: "\u{1B}[33m".utf8) }
        var bytes = Array(line.utf8)
        bytes.withUnsafeBufferPointer { TextEncoding.appendTerminalText($0, to: &out) }
        if color { out.append(contentsOf: "\u{1B}[0m".utf8) }
      }
    }
  }

  public mutating func end(source: TextSource, statistics: SourceStatistics) {}
}

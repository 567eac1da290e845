import TriageAssembly
import TriageClassification
import TriageInput
import TriageUnwrapping

/// Writes events as NDJSON, one object per event, in the shape of CONTRACT.md
/// (`triage events --format json`).
/// Events with findings carry a `findings` array (category, signature, confidence,
/// fingerprint, captures, title, next step).
public struct EventJSONWriter: ClassifiedEventSink {
  private let output: OutputWriter
  private let services: ServiceTable
  private var sourceNameJSON: [UInt8] = []
  /// Encoded JSON strings for service ids and format names, made once each.
  private var serviceJSON: [[UInt8]] = []
  private var formatJSON: [(FormatLayers, TraceLanguage?, [UInt8])] = []

  public init(output: OutputWriter, services: ServiceTable) {
    self.output = output
    self.services = services
  }

  public mutating func begin(source: TextSource) {
    sourceNameJSON = []
    TextEncoding.appendJSONString(source.name, to: &sourceNameJSON)
  }

  private mutating func encodedService(_ id: ServiceTable.ID) -> [UInt8] {
    while serviceJSON.count <= Int(id) {
      var encoded: [UInt8] = []
      TextEncoding.appendJSONString(services.name(ServiceTable.ID(serviceJSON.count)), to: &encoded)
      serviceJSON.append(encoded)
    }
    return serviceJSON[Int(id)]
  }

  private mutating func encodedFormat(_ event: Event) -> [UInt8] {
    if let cached = formatJSON.first(where: { $0.0 == event.layers && $0.1 == event.language }) { return cached.2 }
    var encoded: [UInt8] = []
    TextEncoding.appendJSONString(event.formatName, to: &encoded)
    formatJSON.append((event.layers, event.language, encoded))
    return encoded
  }

  public mutating func consume(_ event: Event, findings: [Finding]) {
    let name = sourceNameJSON
    let service = event.service.map { encodedService($0) }
    let format = encodedFormat(event)
    output.withBuffer { out in
      out.append(contentsOf: #"{"source":{"path":"#.utf8)
      out.append(contentsOf: name)
      out.append(contentsOf: #","line":"#.utf8)
      appendInteger(event.lineNumber, to: &out)
      out.append(contentsOf: #"},"line_count":"#.utf8)
      appendInteger(event.lineCount, to: &out)
      out.append(contentsOf: #","service":"#.utf8)
      if let service { out.append(contentsOf: service) } else { out.append(contentsOf: "null".utf8) }
      out.append(contentsOf: #","stream":"#.utf8)
      if let stream = event.stream { out.append(0x22); out.append(contentsOf: stream.name.utf8); out.append(0x22) } else { out.append(contentsOf: "null".utf8) }
      out.append(contentsOf: #","time":"#.utf8)
      if let time = event.time { out.append(0x22); time.appendRFC3339(to: &out); out.append(0x22) } else { out.append(contentsOf: "null".utf8) }
      out.append(contentsOf: #","level":"#.utf8)
      if let level = event.level { out.append(0x22); out.append(contentsOf: level.rawValue.utf8); out.append(0x22) } else { out.append(contentsOf: "null".utf8) }
      out.append(contentsOf: #","format":"#.utf8)
      out.append(contentsOf: format)
      out.append(contentsOf: #","trace_id":"#.utf8)
      if let traceID = event.traceID { out.append(0x22); traceID.appendHex(to: &out); out.append(0x22) } else { out.append(contentsOf: "null".utf8) }
      if event.isTruncated { out.append(contentsOf: #","truncated":true"#.utf8) }
      if !findings.isEmpty {
        out.append(contentsOf: #","findings":["#.utf8)
        for (index, finding) in findings.enumerated() {
          if index > 0 { out.append(0x2C) }
          FindingJSON.append(finding, to: &out)
        }
        out.append(0x5D)
      }
      out.append(contentsOf: #","text":""#.utf8)
      TextEncoding.appendJSONString(event.text, to: &out)
      out.append(contentsOf: "\"}\n".utf8)
    }
  }

  public mutating func end(source: TextSource, statistics: SourceStatistics) {}
}

/// Appends a non-negative decimal integer.
func appendInteger(_ value: Int, to output: inout [UInt8]) {
  if value < 10 { output.append(UInt8(0x30 + value)); return }
  var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
    (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
  var count = 0
  var rest = value
  withUnsafeMutableBytes(of: &digits) { raw in
    while rest > 0 && count < 20 {
      raw[19 - count] = UInt8(0x30 + rest % 10)
      rest /= 10
      count += 1
    }
    output.append(contentsOf: raw[(20 - count)...])
  }
}

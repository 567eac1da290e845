import TriageInput

/// The wrappings the acceptance names: each corpus file is wrapped as the transport would
/// write it, and must still be exactly one event (none-01: three single-line events).
public enum Wrapping: String, CaseIterable, Sendable {
  case bare, dockerJSON, criWithPartial, composeInterleaved, journaldShortISO, kubectlTimestampsPrefix, gzipped

  public static let workerService = "worker-1"

  /// The bytes of `lines` wrapped this way.
  public func wrap(_ lines: [String]) -> [UInt8] {
    func time(_ index: Int) -> String { "2025-11-03T10:00:\(String(format2: index % 60)).\(String(format9: index))Z" }
    switch self {
    case .bare:
      return Array(lines.map { $0 + "\n" }.joined().utf8)
    case .gzipped:
      return Fixtures.gzip(Wrapping.bare.wrap(lines))
    case .dockerJSON:
      return Array(lines.enumerated().map { index, line in
        #"{"log":"\#(jsonEscaped(line))\n","stream":"stderr","time":"\#(time(index))"}"# + "\n"
      }.joined().utf8)
    case .criWithPartial:
      // The longest line is split into a P part and its F end.
      let longest = lines.indices.max { lines[$0].utf8.count < lines[$1].utf8.count } ?? 0
      var output = ""
      for (index, line) in lines.enumerated() {
        if index == longest && line.count > 2 {
          let middle = line.index(line.startIndex, offsetBy: line.count / 2)
          output += "\(time(index)) stderr P \(line[..<middle])\n"
          output += "\(time(index)) stderr F \(line[middle...])\n"
        } else {
          output += "\(time(index)) stderr F \(line)\n"
        }
      }
      return Array(output.utf8)
    case .composeInterleaved:
      // Another service writes in the middle of the worker's trace (and before and after).
      var output = "api-1     | {\"level\":\"info\",\"msg\":\"GET /healthz 200\"}\n"
      for (index, line) in lines.enumerated() {
        output += "worker-1  | \(line)\n"
        if index == 1 || index == lines.count / 2 {
          output += "api-1     | {\"level\":\"info\",\"msg\":\"POST /tickets 202\",\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\"}\n"
        }
      }
      output += "api-1     | 2025-11-03 10:00:05,000 INFO done\n"
      return Array(output.utf8)
    case .journaldShortISO:
      return Array(lines.map { "2025-11-03T10:00:04+0000 host-1 worker-1[812]: \($0)\n" }.joined().utf8)
    case .kubectlTimestampsPrefix:
      return Array(lines.enumerated().map { "[pod/worker-1/worker] \(time($0.offset)) \($0.element)\n" }.joined().utf8)
    }
  }

  /// How many events the other service contributes.
  public func extraEvents(lineCount: Int) -> Int {
    guard self == .composeInterleaved else { return 0 }
    return 2 + (lineCount > 1 ? (1 == lineCount / 2 ? 1 : 2) : 1)
  }
}

extension String {
  init(format2 value: Int) { self = value < 10 ? "0\(value)" : "\(value)" }
  init(format9 value: Int) {
    let digits = String(value)
    self = String(repeating: "0", count: Swift.max(0, 9 - digits.count)) + digits
  }
}

public func jsonEscaped(_ text: String) -> String {
  var result = ""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\"": result += "\\\""
    case "\\": result += "\\\\"
    case "\t": result += "\\t"
    default:
      if scalar.value < 0x20 { result += "\\u00" + String(format2hex: Int(scalar.value)) } else { result.unicodeScalars.append(scalar) }
    }
  }
  return result
}

extension String {
  init(format2hex value: Int) {
    let hex = String(value, radix: 16)
    self = hex.count == 1 ? "0" + hex : hex
  }
}


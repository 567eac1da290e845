import Testing
import TriageAssembly
import TriageInput
import TriageTestSupport

/// The wrappings the acceptance names: each corpus file is wrapped as the transport would
/// write it, and must still be exactly one event (none-01: three single-line events).
enum Wrapping: String, CaseIterable, Sendable {
  case bare, dockerJSON, criWithPartial, composeInterleaved, journaldShortISO, kubectlTimestampsPrefix, gzipped

  static let workerService = "worker-1"

  /// The bytes of `lines` wrapped this way.
  func wrap(_ lines: [String]) -> [UInt8] {
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
  func extraEvents(lineCount: Int) -> Int {
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

func jsonEscaped(_ text: String) -> String {
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

/// The corpus files, as lines (without the final newline).
func corpusCases() -> [(name: String, lines: [String])] {
  RepositoryPaths.list(RepositoryPaths.detectExceptions).filter { $0.hasSuffix(".txt") }.map { name in
    let text = String(decoding: RepositoryPaths.read(RepositoryPaths.detectExceptions + "/" + name), as: UTF8.self)
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if lines.last == "" { lines.removeLast() }
    return (name, lines)
  }
}

@Suite struct ConformanceTests {
  @Test func theCorpusIsThere() {
    let cases = corpusCases()
    #expect(cases.count == 42, "expected the 42 detect-exceptions files beside the checkout in ../shared")
  }

  @Test(arguments: Wrapping.allCases)
  func everyPositiveCorpusFileIsExactlyOneEvent(wrapping: Wrapping) {
    for (name, lines) in corpusCases() where name != "none-01.txt" {
      let run = PipelineRun(wrapping.wrap(lines), name: "\(name).\(wrapping.rawValue)")
      let worker = run.events.filter { wrapping != .composeInterleaved || $0.service == Wrapping.workerService }
      #expect(worker.count == 1, "\(name) as \(wrapping): \(worker)")
      guard worker.count == 1 else { continue }
      #expect(worker[0].text == lines.joined(separator: "\n"), "\(name) as \(wrapping): text differs")
      #expect(worker[0].lineCount == lines.count + (wrapping == .criWithPartial ? 1 : 0), "\(name) as \(wrapping)")
      #expect(worker[0].language != nil, "\(name) as \(wrapping): no trace language")
      #expect(run.isBalanced, "\(name) as \(wrapping): lines not accounted for")
      #expect(run.events.count == 1 + wrapping.extraEvents(lineCount: lines.count), "\(name) as \(wrapping): \(run.events)")
    }
  }

  @Test(arguments: Wrapping.allCases)
  func theNegativeFileGivesOneEventPerNonBlankLine(wrapping: Wrapping) {
    let lines = corpusCases().first { $0.name == "none-01.txt" }!.lines
    let run = PipelineRun(wrapping.wrap(lines), name: "none-01.\(wrapping.rawValue)")
    let worker = run.events.filter { wrapping != .composeInterleaved || $0.service == Wrapping.workerService }
    #expect(worker.map(\.text) == lines.filter { !$0.isEmpty })
    #expect(worker.allSatisfy { $0.language == nil })
    // Each event is one line; CRI's joined P+F record spans two physical lines.
    #expect(worker.map(\.lineCount).reduce(0, +) == 3 + (wrapping == .criWithPartial ? 1 : 0))
    #expect(run.isBalanced)
    #expect(run.statistics[0].statistics.skippedLines.blank == 1)
  }

  @Test(arguments: [1, 7, 4096, Int.max])
  func theSameEventsWhateverTheReadSize(chunkSize: Int) {
    // Every corpus file, compose-wrapped with interleaving, one after another in one stream.
    let input = corpusCases().flatMap { Wrapping.composeInterleaved.wrap($0.lines) }
    let whole = PipelineRun(input, name: "all.log")
    let chunked = PipelineRun(input, name: "all.log", chunkSize: chunkSize)
    #expect(chunked.events == whole.events)
    #expect(chunked.isBalanced)
    let docker = corpusCases().flatMap { Wrapping.dockerJSON.wrap($0.lines) }
    #expect(PipelineRun(docker, chunkSize: chunkSize).events == PipelineRun(docker).events)
  }

  @Test func eventsComeOutInInputOrder() {
    // As in a real stream, an ordinary log record of the worker separates two traces.
    let separator = Array("worker-1  | 2025-11-03 10:00:05,000 INFO worker: next task\n".utf8)
    let input = corpusCases().flatMap { Wrapping.composeInterleaved.wrap($0.lines) + separator }
    let run = PipelineRun(input)
    let lines = run.events.map(\.lineNumber)
    #expect(lines == lines.sorted())
    #expect(run.events.filter { $0.language != nil }.count == 41)
    #expect(run.events.filter { $0.text == "worker-1  | 2025-11-03 10:00:05,000 INFO worker: next task" || $0.text.hasSuffix("next task") }.count == 42)
    #expect(run.isBalanced)
  }
}

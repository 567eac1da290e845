import Testing
import TriageAssembly
import TriageInput
import TriageTestSupport

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

import Testing
import TriageAssembly
import TriageInput
import TriageTestSupport
import TriageUnwrapping

/// Inputs that once crashed, hung, or lost lines (the review of the foundation).
@Suite struct HostileInputTests {
  @Test(arguments: [
    #"{"level": 99999999999999999999, "msg": "x"}"#,
    "level=99999999999999999999 msg=x time=1",
    "<14>1 2025-11-03T10:00:00Z host app 99999999999999999999 - - msg",
    #"{"__REALTIME_TIMESTAMP":"1","_PID":"99999999999999999999","MESSAGE":"x"}"#,
    #"{"ts": 9999999999999999999, "msg": "x"}"#,
    "ts=9999999999999999999 msg=x level=info",
    #"{"__REALTIME_TIMESTAMP":"9999999999999999999","MESSAGE":"x"}"#,
    #"{"time":"0000-01-01T00:00:00+05:00","msg":"year zero"}"#,
    #"{"time":"2025-02-31T00:00:00Z","msg":"no such day"}"#,
  ])
  func hugeNumbersAndImpossibleDatesAreReadNotTrapped(line: String) {
    let run = PipelineRun(line + "\n")
    #expect(run.events.count == 1)
    #expect(run.events[0].time == nil || run.events[0].time!.hasPrefix("19") || run.events[0].time!.hasPrefix("20"))
  }

  @Test func damagedTarSizesAreReportedNotTrapped() {
    let negativeLongName = Fixtures.paxHeader([("size", "-5")])
      + Fixtures.tarHeader(name: "././@LongLink", sizeField: Fixtures.octalSize(10), type: "L") + Fixtures.padded(Array("longname\u{0}\u{0}".utf8))
    let hugeDirectory = Fixtures.paxHeader([("size", "9223372036854775807")])
      + Fixtures.tarHeader(name: "dir/", sizeField: Fixtures.octalSize(0), type: "5")
    let base256 = Fixtures.tarHeader(name: "dir/", sizeField: [0x80, 0, 0, 0, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0xFF], type: "5")
    for archive in [negativeLongName, hugeDirectory, base256] {
      let good = Fixtures.tar([.init("before.log", "kept\n")], endMarker: false)
      let run = PipelineRun(good + archive + [UInt8](repeating: 0, count: 1024), name: "bundle.tar")
      #expect(run.events.map(\.text) == ["kept"])
      #expect(run.diagnostics.warnings.map(\.kind) == [.corruptTar])
    }
  }

  @Test func aLineOverTheCapIsCutEvenWhenItArrivesInOneRead() {
    let long = String(repeating: "x", count: 5000)
    let run = PipelineRun("before\n\(long)\nafter\n") { $0.maximumLineLength = 1024 }
    #expect(run.events.map(\.text.count) == [6, 1024, 5])
    #expect(run.events[1].isTruncated)
    #expect(run.statistics[0].statistics.framing.cutLines == 1)
    #expect(run.diagnostics.warnings.map(\.kind) == [.cutLines])
  }

  @Test func dockerPartsJoinedPastTheCapAreCutAndSaidSo() {
    let part = String(repeating: "a", count: 16384)
    var lines = (0..<80).map { _ in #"{"log":"\#(part)","stream":"stdout","time":"2025-11-03T10:00:00Z"}"# }
    lines.append(#"{"log":"end\n","stream":"stdout","time":"2025-11-03T10:00:01Z"}"#)
    let run = PipelineRun(lines.joined(separator: "\n") + "\n")
    #expect(run.events.count == 1)
    #expect(run.events[0].lineCount == 81)
    #expect(run.events[0].isTruncated)
    #expect(run.events[0].time == "2025-11-03T10:00:00.000Z")  // the first part's time
    #expect(run.diagnostics.warnings.contains { $0.kind == .cutLines && $0.message.contains("joined from docker or CRI parts") })
  }

  @Test func blankLinesDoNotFillAnEventsCap() {
    let text = "Traceback (most recent call last):\n  File \"a.py\", line 1, in f\nKeyError: 'k'\n"
      + String(repeating: "\n", count: 1500) + "2025-11-03 10:00:00,000 INFO after\n"
    let run = PipelineRun(text)
    #expect(run.events.map(\.lineCount) == [3, 1])
    #expect(!run.events[0].isTruncated)
    #expect(run.statistics[0].statistics.skippedLines.blank == 1500)
    #expect(run.diagnostics.warnings.isEmpty)
  }

  @Test func journaldByteArrayMessagesAreDecoded() {
    let run = PipelineRun(#"{"__REALTIME_TIMESTAMP":"1762164004123456","PRIORITY":"3","SYSLOG_IDENTIFIER":"worker","MESSAGE":[83,101,103,27]}"# + "\n")
    #expect(run.events.map(\.text) == ["Seg\u{1B}"])
    #expect(run.events.first?.level == .error)
    let notJournal = PipelineRun(#"{"__CURSOR":"x","SYSLOG_IDENTIFIER":"foo"}"# + "\n")
    #expect(notJournal.events.first?.service == nil)
  }

  @Test func anIOErrorHalfWayKeepsTheLinesAlreadyRead() {
    final class FailingStream: ByteStream {
      var served = false
      func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        if served { throw InputError(source: "disk.log", message: "cannot read it: Input/output error; check the disk.") }
        served = true
        let bytes = Array("one\ntwo\nthree".utf8)
        buffer.copyBytes(from: bytes)
        return bytes.count
      }
    }
    var reader = EventReader()
    reader.readsAhead = false
    var sink = CollectingSink(services: reader.services)
    reader.read(stream: FailingStream(), named: "disk.log", into: &sink)
    #expect(sink.events.map(\.text) == ["one", "two", "three"])
    #expect(sink.statistics.first?.statistics.isBalanced == true)
    #expect(sink.statistics.first?.statistics.framing.lines == 3)
    #expect(reader.diagnostics.errors.map(\.message) == ["cannot read it: Input/output error; check the disk."])
  }

  @Test func overlappingTracesOfTwoStreamsKeepTheWaitingQueueBounded() {
    let filler = String(repeating: "f", count: 1000)
    var lines: [String] = []
    for index in 0..<5000 {
      lines.append("a-1  | Traceback (most recent call last):")
      lines.append("c-1  | \(filler) \(index)")
      lines.append("b-1  | Traceback (most recent call last):")
      lines.append("c-1  | \(filler) \(index)")
    }
    let run = PipelineRun(lines.joined(separator: "\n") + "\n")
    #expect(run.events.map(\.lineNumber) == run.events.map(\.lineNumber).sorted())
    #expect(run.events.filter { $0.service == "c-1" }.count == 10000)
  }

  @Test func aPidPerLineDoesNotSlowStreamsDown() {
    let lines = (0..<40_000).map { "Nov  3 10:00:04 host CRON[\(1000 + $0)]: (root) CMD (run-parts /etc/cron.hourly)" }
    let clock = ContinuousClock()
    var run: PipelineRun?
    let elapsed = clock.measure { run = PipelineRun(lines.joined(separator: "\n") + "\n") }
    #expect(run?.events.count == 40_000)
    #expect(elapsed < .seconds(10), "40,000 streams took \(elapsed)")
  }

  @Test func criPartsFarApartDoNotCloseTheTraceTheyBelongTo() {
    var lines = ["2025-11-03T10:00:00Z stderr P Traceback (most recent ", ]
    lines += (0..<1001).map { "2025-11-03T10:00:01Z stdout F request \($0) ok" }
    lines += [
      "2025-11-03T10:00:02Z stderr F call last):",
      "2025-11-03T10:00:02Z stderr F   File \"/app/a.py\", line 1, in f",
      "2025-11-03T10:00:02Z stderr F KeyError: 'k'",
    ]
    let run = PipelineRun(lines.joined(separator: "\n") + "\n")
    let traces = run.events.filter { $0.language != nil }
    #expect(traces.count == 1)
    #expect(traces.first?.text == "Traceback (most recent call last):\n  File \"/app/a.py\", line 1, in f\nKeyError: 'k'")
  }

  @Test func aSocketPathIsNotANodePreheader() {
    let run = PipelineRun("/var/run/app.sock:8080\nINFO one\nINFO two\nINFO three\nINFO four\n")
    #expect(run.events.count == 5)
    #expect(run.events.allSatisfy { $0.language == nil })
  }

  @Test func fileNamesThatAreNotUTF8AreRead() {
    let directory = RepositoryPaths.temporaryDirectory()
    var path = Array((directory + "/bad").utf8) + [0xFF] + Array(".log".utf8) + [0]
    let file = path.withUnsafeMutableBufferPointer { bytes in
      bytes.withMemoryRebound(to: CChar.self) { fopen($0.baseAddress!, "w") }
    }
    fputs("hello\n", file)
    fclose(file)
    let run = PipelineRun(paths: [directory])
    #expect(run.events.map(\.text) == ["hello"])
    #expect(run.diagnostics.warnings.isEmpty)
  }
}

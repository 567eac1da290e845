import Foundation
import Testing
import TriageTestSupport

/// Runs the built `triage` binary (it sits beside the test bundle).
struct TriageProcess {
  static let executable: String = {
    let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    return bundle.appendingPathComponent("triage").path
  }()

  var status: Int32
  var stdout: Data
  var stderr: String

  var output: String { String(decoding: stdout, as: UTF8.self) }

  /// Runs `triage arguments`, feeding `input` on standard input (or /dev/null). Output goes to
  /// temporary files, so a large output can never block on a full pipe.
  init(_ arguments: [String], input: Data? = nil) throws {
    let directory = RepositoryPaths.temporaryDirectory()
    let outURL = URL(fileURLWithPath: directory + "/stdout")
    let errURL = URL(fileURLWithPath: directory + "/stderr")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Self.executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: RepositoryPaths.root)
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = try FileHandle(forWritingTo: errURL)
    if let input {
      let inURL = URL(fileURLWithPath: directory + "/stdin")
      try input.write(to: inURL)
      // A real pipe, as in `docker logs … | triage`, not a regular file.
      let pipe = Pipe()
      process.standardInput = pipe
      try process.run()
      pipe.fileHandleForWriting.write(input)
      try pipe.fileHandleForWriting.close()
    } else {
      process.standardInput = FileHandle.nullDevice
      try process.run()
    }
    process.waitUntilExit()
    status = process.terminationStatus
    stdout = try Data(contentsOf: outURL)
    stderr = String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
  }

  /// The NDJSON output, one object per line.
  func jsonLines() throws -> [[String: Any]] {
    try output.split(separator: "\n").map { line in
      try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }
  }
}

@Suite struct EventsCommandTests {
  let compose = "Samples/celery-crashloop/compose.log"

  @Test func versionAndHelp() throws {
    let version = try TriageProcess(["--version"])
    #expect(version.status == 0)
    #expect(version.output.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
    let help = try TriageProcess(["events", "--help"])
    #expect(help.output.contains("--stats"))
    let completion = try TriageProcess(["--generate-completion-script", "bash"])
    #expect(completion.status == 0 && completion.output.contains("_triage"))
  }

  @Test func jsonEventsFollowTheContract() throws {
    let run = try TriageProcess(["events", "--format", "json", compose])
    #expect(run.status == 0)
    let events = try run.jsonLines()
    #expect(events.count > 100)
    let keys: Set<String> = ["source", "line_count", "service", "stream", "time", "level", "format", "trace_id", "text"]
    for event in events { #expect(keys.isSubset(of: Set(event.keys))) }
    let traces = events.filter { ($0["line_count"] as? Int ?? 0) > 1 && ($0["text"] as? String ?? "").contains("Traceback") }
    #expect(!traces.isEmpty)
    let memory = try #require(events.first { ($0["text"] as? String ?? "").contains("raised unexpected: ValueError('Invalid API key format')") })
    #expect(memory["service"] as? String == "worker-1")
    #expect(memory["level"] as? String == "error")
    #expect(memory["format"] as? String == "docker-compose+python")
    #expect((memory["text"] as? String ?? "").hasSuffix("ValueError: Invalid API key format"))
    let source = try #require(memory["source"] as? [String: Any])
    #expect(source["path"] as? String == compose)
    let withTrace = events.first { $0["service"] as? String == "api-1" && $0["trace_id"] as? String != nil }
    #expect((withTrace?["trace_id"] as? String)?.count == 32)
  }

  @Test func standardInputIsReadWhenPiped() throws {
    let bytes = try Data(contentsOf: URL(fileURLWithPath: RepositoryPaths.root + "/" + compose))
    let piped = try TriageProcess(["events", "--format", "json"], input: bytes)
    let direct = try TriageProcess(["events", "--format", "json", compose])
    #expect(piped.status == 0)
    let pipedEvents = try piped.jsonLines()
    let directEvents = try direct.jsonLines()
    #expect(pipedEvents.count == directEvents.count)
    #expect(pipedEvents.map { $0["text"] as? String } == directEvents.map { $0["text"] as? String })
    #expect((pipedEvents.first?["source"] as? [String: Any])?["path"] as? String == "-")
  }

  @Test func aMissingPathIsAnErrorButTheOtherInputsAreStillRead() throws {
    let run = try TriageProcess(["events", "--stats", "--format", "json", "no/such/file.log", compose])
    #expect(run.status == 2)
    #expect(run.stderr.contains("no/such/file.log"))
    #expect(run.stderr.contains("check the path"))
    let report = try #require(try JSONSerialization.jsonObject(with: run.stdout) as? [String: Any])
    let inputs = try #require(report["inputs"] as? [[String: Any]])
    #expect(inputs.count == 1)
    #expect(inputs[0]["lines"] as? Int == 540)
    #expect(inputs[0]["lines"] as? Int == (inputs[0]["event_lines"] as? Int ?? 0) + (inputs[0]["skipped_lines"] as? Int ?? 0))
  }

  @Test func statsDescribeEachSource() throws {
    let run = try TriageProcess(["events", "--stats", "Samples/celery-crashloop"])
    #expect(run.status == 0)
    #expect(run.output.contains("compose.log.1.gz  (gzip)"))
    #expect(run.output.contains("services  api-1, postgres-1, redis-1, worker-1, worker-2"))
    #expect(run.output.contains("time      2025-11-03T10:14:56.489Z … 2025-11-03T10:45:01.765Z"))
    #expect(run.output.contains("worker-7d9f8b6c5-x2x9k"))
    #expect(run.output.contains("warning: Samples/celery-crashloop/README.md: a Markdown document, not a log; skipped."))
  }

  @Test func aClosedPipeEndsQuietly() throws {
    let script = "'\(TriageProcess.executable)' events Samples/celery-crashloop | head -1 > /dev/null; echo ${PIPESTATUS[0]}"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["-c", script]
    process.currentDirectoryURL = URL(fileURLWithPath: RepositoryPaths.root)
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let status = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(status.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    #expect(!errors.contains("rror"))
  }

  @Test func logTextCannotDriveTheTerminal() throws {
    let hostile = Data("worker-1  | \u{1B}]0;pwned\u{07}clear\u{1B}[2J \u{1B}[31mred\u{1B}[0m bell\u{07} nul\u{0} <script>x</script>\n".utf8)
    let run = try TriageProcess(["events", "--color", "never"], input: hostile)
    #expect(run.status == 0)
    #expect(!run.stdout.contains(0x1B))
    #expect(!run.stdout.contains(0x07))
    #expect(!run.stdout.contains(0x00))
    #expect(run.output.contains("clear red bell\\x07 nul\\x00 <script>x</script>"))
    let json = try TriageProcess(["events", "--format", "json"], input: hostile)
    let event = try #require(try json.jsonLines().first)
    #expect(event["text"] as? String == "clear red bell\u{07} nul\u{0} <script>x</script>")
  }

  /// The filters apply to the text view as to JSON and `--stats`.
  @Test func theTextViewIsFilteredToo() throws {
    let run = try TriageProcess(["events", "--color", "never", "--service", "api", compose])
    #expect(run.status == 0)
    #expect(run.output.contains("  api-1  "))
    #expect(!run.output.contains("  worker-1  ") && !run.output.contains("  postgres-1  "))
  }

  @Test func badOptionsAreUsageErrors() throws {
    let run = try TriageProcess(["events", "--max-line-length", "10", compose])
    #expect(run.status == 64)
    #expect(run.stderr.contains("--max-line-length must be at least 1024 bytes."))
    let unknown = try TriageProcess(["events", "--format", "yaml", compose])
    #expect(unknown.status == 64)
  }

  @Test func anAbsurdLineCapIsAUsageError() throws {
    let run = try TriageProcess(["events", "--max-line-length", "9223372036854775807", compose])
    #expect(run.status == 64)
    #expect(run.stderr.contains("at most 1073741824 bytes"))
  }

  @Test func theOutputFileIsNeverReadBack() throws {
    let directory = RepositoryPaths.temporaryDirectory()
    RepositoryPaths.write(Array(String(repeating: "2025-11-03 10:00:00,000 INFO line\n", count: 20_000).utf8), to: directory + "/a.log")
    let run = try TriageProcess(["events", "--format", "json", "-o", directory + "/z.log", directory])
    #expect(run.status == 0)
    #expect(run.stderr.contains("z.log: this is the output file of this run; skipped."))
    let written = RepositoryPaths.read(directory + "/z.log")
    #expect(written.filter { $0 == 0x0A }.count == 20_000)
  }

  @Test func aBinaryPipeThatStaysOpenDoesNotHoldTheExit() throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: TriageProcess.executable)
    process.arguments = ["events"]
    let input = Pipe()
    process.standardInput = input
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    input.fileHandleForWriting.write(Data([0x7F, 0x45, 0x4C, 0x46] + [UInt8](repeating: 1, count: 100)))
    let deadline = Date().addingTimeInterval(5)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    let exitedInTime = !process.isRunning
    if process.isRunning { process.terminate() }
    try input.fileHandleForWriting.close()
    #expect(exitedInTime, "triage kept waiting on a binary pipe that was still open")
  }
}

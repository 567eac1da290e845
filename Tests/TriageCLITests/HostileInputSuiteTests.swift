import Foundation
import Testing
import TriageTestSupport

/// The hostile-input suite: each case runs `triage report` on one kind of damaged or
/// adversarial input *beside* a witness log holding a real crash, and asserts the message
/// (what, where), the documented exit status, bounded time and memory, and that the witness's
/// crash is still reported.
@Suite struct HostileInputSuiteTests {
  /// A compose capture with one Python MemoryError in worker-1: the finding every case must keep.
  static let witness = """
    worker-1  | [2025-11-03 10:00:00,000: INFO/MainProcess] Task tasks.render[1] received
    worker-1  | [2025-11-03 10:00:01,000: ERROR/ForkPoolWorker-1] Task tasks.render[1] raised unexpected: MemoryError()
    worker-1  | Traceback (most recent call last):
    worker-1  |   File "/app/tasks.py", line 12, in render
    worker-1  |     pages = [page.render() for page in doc]
    worker-1  | MemoryError

    """

  /// A directory holding `witness.log`; returns its path.
  func directoryWithWitness() -> String {
    let directory = RepositoryPaths.temporaryDirectory()
    RepositoryPaths.write(Array(Self.witness.utf8), to: directory + "/witness.log")
    return directory
  }

  /// Runs `triage report --format json` on `paths` and checks what every case shares: the
  /// exit status, the time and memory bounds, and the witness's `oom` incident on worker-1.
  @discardableResult
  func report(
    _ paths: [String], status: Int32 = 0, seconds: Double = 20, peakMiB: Int = 160,
    stdin: String = "/dev/null", asUser: UInt32? = nil, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> (run: BoundedRun, document: [String: Any]) {
    // Under a sanitizer (`swift test -Xswiftc -sanitize=…`) triage runs several times slower in
    // several times the memory: the bounds stretch, the other checks stay.
    let limit = BoundedRun.isSanitized ? seconds * 6 : seconds
    let run = try BoundedRun(["report", "--format", "json"] + paths, stdin: stdin, timeLimit: limit, asUser: asUser)
    #expect(!run.timedOut, "still running after \(limit) s", sourceLocation: sourceLocation)
    #expect(run.status == status, "exit \(run.status): \(run.stderr)", sourceLocation: sourceLocation)
    if !BoundedRun.isSanitized {
      #expect(run.peakKiB <= peakMiB * 1024, "peak RSS \(run.peakKiB / 1024) MiB", sourceLocation: sourceLocation)
    }
    let document = try #require(try? run.document(), "no JSON report: \(run.stderr)", sourceLocation: sourceLocation)
    let incidents = document["incidents"] as? [[String: Any]] ?? []
    let witnessed = incidents.contains { $0["category"] as? String == "oom" && ($0["services"] as? [String] ?? []).contains("worker-1") }
    #expect(witnessed, "the witness's MemoryError is not reported", sourceLocation: sourceLocation)
    return (run, document)
  }

  @Test func anEmptyFileIsReadAsNothing() throws {
    let directory = directoryWithWitness()
    RepositoryPaths.write([], to: directory + "/empty.log")
    let (run, _) = try report([directory + "/empty.log", directory + "/witness.log"])
    #expect(!run.stderr.contains("empty.log"), "an empty file is not an error: \(run.stderr)")
  }

  @Test func aTwoHundredMegabyteLineIsCutWithBoundedMemory() throws {
    let directory = directoryWithWitness()
    let path = directory + "/giant.log"
    let handle = try #require(FileHandle(forWritingAtPath: { FileManager.default.createFile(atPath: path, contents: nil); return path }()))
    let block = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
    for _ in 0..<200 { handle.write(block) }
    handle.write(Data("\n".utf8))
    try handle.close()
    let (run, _) = try report([path, directory + "/witness.log"], peakMiB: 96)
    #expect(run.stderr.contains("giant.log"), "\(run.stderr)")
    #expect(run.stderr.contains("longer than"), "\(run.stderr)")
  }

  @Test func binaryFilesAreSkippedWithAWarning() throws {
    let directory = directoryWithWitness()
    var generator = SystemRandomNumberGenerator()
    RepositoryPaths.write((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }, to: directory + "/core.bin")
    let (run, _) = try report([directory])
    #expect(run.stderr.contains("core.bin: binary data"), "\(run.stderr)")
    #expect(run.stderr.contains("skipped"))
  }

  /// NUL bytes, invalid UTF-8, CRLF and lone CR inside the witness's own lines.
  @Test(arguments: [
    ("NUL bytes", "\n", Array("worker-1  | junk\u{0}\u{0}\u{0} between\n".utf8)),
    ("invalid UTF-8", "\n", [0xFF, 0xFE, 0xC3, 0x28, 0x0A]),
    ("CRLF", "\r\n", []),
    ("lone CR", "\r", []),
  ])
  func damagedBytesInsideALogKeepItsCrash(name: String, newline: String, junk: [UInt8]) throws {
    let directory = RepositoryPaths.temporaryDirectory()
    let lines = Self.witness.split(separator: "\n").map { $0 + newline }.joined()
    RepositoryPaths.write(junk + Array(lines.utf8) + junk, to: directory + "/damaged.log")
    let (run, document) = try report([directory + "/damaged.log"])
    #expect(run.stderr.isEmpty, "\(name): \(run.stderr)")
    let finding = try #require((document["findings"] as? [[String: Any]])?.first { $0["category"] as? String == "oom" })
    #expect((finding["captures"] as? [String: Any])?["exception_type"] as? String == "MemoryError", "\(name)")
  }

  @Test func aGzipCutAtManyPointsKeepsWhatItHadAndWarnsForEachFile() throws {
    let directory = directoryWithWitness()
    let lines = (0..<4000).map { "worker-2  | [2025-11-03 10:00:00,000: INFO/MainProcess] heartbeat \($0)\n" }.joined()
    let compressed = Fixtures.gzip(lines)
    let cuts = [1, 9, 10, 18, compressed.count / 3, compressed.count / 2, compressed.count - 8, compressed.count - 1]
    for cut in cuts { RepositoryPaths.write(Array(compressed[0..<cut]), to: directory + "/cut-\(cut).log.gz") }
    let (run, document) = try report([directory])
    for cut in cuts {
      #expect(run.stderr.contains("cut-\(cut).log.gz"), "no word on the file cut at \(cut): \(run.stderr)")
    }
    #expect(run.stderr.contains("gzip data ends in the middle of a member"), "\(run.stderr)")
    #expect(run.stderr.contains("cut-1.log.gz: binary data"), "one byte is not yet gzip: \(run.stderr)")
    let inputs = try #require(document["inputs"] as? [[String: Any]])
    #expect(inputs.count >= 2)
  }

  @Test func gzipInsideGzipIsUnwrappedTwice() throws {
    let directory = RepositoryPaths.temporaryDirectory()
    RepositoryPaths.write(Fixtures.gzip(Fixtures.gzip(Self.witness)), to: directory + "/twice.log.gz.gz")
    let (run, _) = try report([directory + "/twice.log.gz.gz"])
    #expect(run.stderr.isEmpty, "\(run.stderr)")
  }

  @Test func aTarMemberClaimingMoreThanTheArchiveHoldsIsReportedAndTheRestRead() throws {
    let directory = directoryWithWitness()
    var archive = Fixtures.tar([.init("logs/first.log", Self.witness.replacingOccurrences(of: "worker-1", with: "worker-3").replacingOccurrences(of: "render[1]", with: "render[3]"))], endMarker: false)
    var header = Fixtures.tar([.init("logs/claims-more.log", [UInt8](repeating: 0x61, count: 10_000))], endMarker: false)
    header.removeLast(header.count - 512 - 1024)  // the header promises 10,000 bytes; 1,024 follow
    archive += header
    RepositoryPaths.write(archive, to: directory + "/bundle.tar")
    let (run, document) = try report([directory])
    #expect(run.stderr.contains("bundle.tar"), "\(run.stderr)")
    let incidents = try #require(document["incidents"] as? [[String: Any]])
    #expect(incidents.contains { ($0["services"] as? [String] ?? []).contains("worker-3") }, "the good member's crash is lost")
  }

  @Test func tenThousandEmptyTarMembersAreQuick() throws {
    let directory = directoryWithWitness()
    let entries = (0..<10_000).map { Fixtures.TarEntry("empty/\($0).log", [UInt8]()) }
    RepositoryPaths.write(Fixtures.gzip(Fixtures.tar(entries)), to: directory + "/many.tar.gz")
    try report([directory], seconds: 10)
  }

  /// A gigabyte of zeros in about a megabyte: concatenated gzip members of 64 MiB each.
  @Test func aGzipBombIsReadWithBoundedMemory() throws {
    let directory = directoryWithWitness()
    let member = Fixtures.gzip([UInt8](repeating: 0, count: 64 << 20), level: 9)
    let bomb = Array([[UInt8]](repeating: member, count: 16).joined())
    #expect(bomb.count < 2 << 20)
    RepositoryPaths.write(bomb, to: directory + "/bomb.log.gz")
    let (run, _) = try report([directory], seconds: 30, peakMiB: 96)
    #expect(run.stderr.contains("bomb.log.gz"), "\(run.stderr)")
  }

  @Test func aHundredThousandDeepJSONValueInALogLineAndInASpanDump() throws {
    let directory = directoryWithWitness()
    let depth = 100_000
    let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    RepositoryPaths.write(Array(("{\"level\":\"error\",\"msg\":" + nested + "}\n").utf8), to: directory + "/deep-log.json")
    RepositoryPaths.write(Array(("{\"resourceSpans\":" + nested + "}\n").utf8), to: directory + "/deep-spans.json")
    let (_, document) = try report([directory])
    let inputs = try #require(document["inputs"] as? [[String: Any]])
    for name in ["deep-log.json", "deep-spans.json"] {
      let input = try #require(inputs.first { ($0["path"] as? String)?.hasSuffix(name) == true }, "\(name) is not listed")
      #expect(input["events"] as? Int == 1, "\(name) is read as one event")
    }
  }

  /// One trace of 1,000,000 spans in OTLP JSON lines (1,000 spans per line).
  @Test func oneTraceOfAMillionSpans() throws {
    let directory = directoryWithWitness()
    let path = directory + "/spans.jsonl"
    FileManager.default.createFile(atPath: path, contents: nil)
    let handle = try #require(FileHandle(forWritingAtPath: path))
    let start: UInt64 = 1_762_164_000_000_000_000
    for line in 0..<1_000 {
      var text = #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"worker"}}]},"scopeSpans":[{"spans":["#
      for index in 0..<1_000 {
        let number = line * 1_000 + index
        let parent = number == 0 ? "" : #","parentSpanId":"0000000000000001""#
        let begin = start + UInt64(number) * 1_000
        text += (index == 0 ? "" : ",")
          + #"{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"\#(String(format: "%016x", number + 1))"\#(parent),"name":"step","kind":1,"startTimeUnixNano":"\#(begin)","endTimeUnixNano":"\#(begin + 500)"}"#
      }
      handle.write(Data((text + "]}]}]}\n").utf8))
    }
    try handle.close()
    let (_, document) = try report([directory], seconds: 40, peakMiB: 320)
    let traces = try #require(document["traces"] as? [[String: Any]])
    let trace = try #require(traces.first { $0["trace_id"] as? String == "5b8efff798038103d269b633813fc60c" })
    #expect(trace["span_count"] as? Int == 1_000_000)
  }

  @Test func cyclicAndDuplicateSpanIdsEndInAVerdict() throws {
    let directory = directoryWithWitness()
    func span(_ id: String, parent: String, name: String, start: Int) -> String {
      #"{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"\#(id)","parentSpanId":"\#(parent)","name":"\#(name)","kind":2,"startTimeUnixNano":"\#(start)","endTimeUnixNano":"\#(start + 1000)"}"#
    }
    let spans = [
      span("00000000000000a1", parent: "00000000000000a2", name: "a", start: 1_762_164_000_000_000_000),
      span("00000000000000a2", parent: "00000000000000a1", name: "b", start: 1_762_164_000_000_001_000),
      span("00000000000000a1", parent: "00000000000000a1", name: "c", start: 1_762_164_000_000_002_000),
    ]
    let dump = #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},"scopeSpans":[{"spans":["#
      + spans.joined(separator: ",") + "]}]}]}\n"
    RepositoryPaths.write(Array(dump.utf8), to: directory + "/cyclic.json")
    let (_, document) = try report([directory], seconds: 10)
    let trace = try #require((document["traces"] as? [[String: Any]])?.first)
    #expect(trace["span_count"] as? Int == 3)
    #expect(trace["status"] as? String != "ok", "a trace without a root is not healthy")
  }

  @Test func timestampsIn1970And2100AreKept() throws {
    let directory = directoryWithWitness()
    let log = """
      1970-01-01T00:00:01.000000000Z worker-9 started
      1970-01-01T00:00:02.000000000Z Traceback (most recent call last):
      1970-01-01T00:00:02.000000000Z   File "/app/a.py", line 1, in <module>
      1970-01-01T00:00:02.000000000Z ConnectionRefusedError: [Errno 111] Connection refused
      2100-01-01T00:00:00.000000000Z fatal error: runtime: out of memory

      """
    RepositoryPaths.write(Array(log.utf8), to: directory + "/epochs.log")
    let (_, document) = try report([directory])
    let times = (document["findings"] as? [[String: Any]] ?? []).compactMap { $0["time"] as? String }
    #expect(times.contains("1970-01-01T00:00:02.000Z"), "\(times)")
    #expect(times.contains("2100-01-01T00:00:00.000Z"), "\(times)")
  }

  /// Permissions apply to a non-root user: when the tests run as root, the run drops to nobody.
  @Test func unreadableFilesAndDirectoriesAreErrorsAndTheRestIsRead() throws {
    let directory = directoryWithWitness()
    RepositoryPaths.write(Array("secret\n".utf8), to: directory + "/locked.log")
    mkdir(directory + "/locked-dir", 0o755)
    RepositoryPaths.write(Array("secret\n".utf8), to: directory + "/locked-dir/inner.log")
    chmod(directory + "/locked.log", 0o000)
    chmod(directory + "/locked-dir", 0o000)
    for path in [directory, directory + "/witness.log"] { chmod(path, 0o755) }
    chmod(directory + "/witness.log", 0o644)
    var parent = directory
    while parent.count > 1, let slash = parent.lastIndex(of: "/") {
      parent = String(parent[..<slash])
      if parent.isEmpty { break }
      chmod(parent, 0o755)
    }
    defer { chmod(directory + "/locked-dir", 0o755) }
    let (run, _) = try report([directory], status: 2, asUser: geteuid() == 0 ? 65534 : nil)
    #expect(run.stderr.contains("locked.log: cannot open it: Permission denied"), "\(run.stderr)")
    #expect(run.stderr.contains("locked-dir: cannot list the directory: Permission denied"), "\(run.stderr)")
  }

  @Test func aFIFOInADirectoryIsSkippedAndANamedOneIsRead() throws {
    let directory = directoryWithWitness()
    #expect(mkfifo(directory + "/pipe", 0o644) == 0)
    let (run, _) = try report([directory], seconds: 10)
    #expect(run.stderr.contains("pipe: not a regular file (a FIFO, socket or device); skipped inside a directory"), "\(run.stderr)")
    // Named on the command line, a FIFO is read like standard input: a writer feeds it.
    let other = RepositoryPaths.temporaryDirectory()
    #expect(mkfifo(other + "/pipe", 0o644) == 0)
    let writer = Thread {
      guard let handle = FileHandle(forWritingAtPath: other + "/pipe") else { return }
      handle.write(Data(Self.witness.utf8))
      try? handle.close()
    }
    writer.start()
    try report([other + "/pipe"], seconds: 10)
  }

  @Test func aSymlinkLoopIsAnErrorAndTheRestIsRead() throws {
    let directory = directoryWithWitness()
    symlink(directory + "/b", directory + "/a")
    symlink(directory + "/a", directory + "/b")
    let (run, _) = try report([directory + "/a", directory + "/witness.log"], status: 2)
    #expect(run.stderr.contains("a: cannot read it: Too many levels of symbolic links"), "\(run.stderr)")
  }

  /// Ctrl-C (SIGINT) ends a run that is still reading, at once.
  @Test func anInterruptStopsARunPromptly() throws {
    let directory = RepositoryPaths.temporaryDirectory()
    #expect(mkfifo(directory + "/stdin", 0o644) == 0)
    // Held open for writing by this process, the pipe never ends: triage waits for more.
    let writer = open(directory + "/stdin", O_RDWR)
    defer { close(writer) }
    _ = Self.witness.withCString { write(writer, $0, strlen($0)) }
    let run = try BoundedRun(["report"], stdin: directory + "/stdin", timeLimit: 5, interruptAfter: 0.5)
    #expect(!run.timedOut, "triage still ran 4.5 s after SIGINT")
    #expect(run.status == 128 + SIGINT && run.seconds < (BoundedRun.isSanitized ? 10 : 2), "exit \(run.status) after \(run.seconds) s")
  }
}

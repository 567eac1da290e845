import Testing
import TriageAssembly
import TriageClassification
import TriageInput
import TriageTestSupport
import TriageUnwrapping

/// Runs the pipeline with the built-in catalog and keeps each event's findings.
struct ClassifiedRun {
  struct Item {
    var event: CollectedEvent
    var findings: [Finding]
  }

  var items: [Item] = []
  var findings: [Finding] { items.flatMap(\.findings) }

  static let catalog: PatternCatalog = try! PatternCatalog.load()

  /// - Parameter workers: classify in batches on this many worker threads beside the
  ///   producer (as the CLI does), instead of event by event.
  init(_ bytes: [UInt8], name: String = "captured.txt", workers: Int? = nil, catalog: PatternCatalog = Self.catalog) {
    struct Sink: ClassifiedEventSink {
      var collector: CollectingSink
      var findings: [[Finding]] = []
      mutating func begin(source: TextSource) { collector.begin(source: source) }
      mutating func consume(_ event: Event, findings: [Finding]) {
        collector.consume(event)
        self.findings.append(findings)
      }
      mutating func end(source: TextSource, statistics: SourceStatistics) { collector.end(source: source, statistics: statistics) }
    }
    var reader = EventReader()
    reader.readsAhead = false
    let inner = Sink(collector: CollectingSink(services: reader.services))
    let done: Sink
    if let workers {
      // Small batches: many hand-overs, batches finished out of order.
      var sink = ConcurrentClassifyingSink(inner: inner, classifier: Classifier(catalog: catalog), threads: workers, batchEvents: 16)
      reader.read(stream: ChunkedByteStream(bytes), named: name, into: &sink)
      done = sink.finish()
    } else {
      var sink = ClassifyingSink(inner: inner, classifier: Classifier(catalog: catalog))
      reader.read(stream: ChunkedByteStream(bytes), named: name, into: &sink)
      done = sink.inner
    }
    items = zip(done.collector.events, done.findings).map { Item(event: $0, findings: $1) }
  }

  init(_ text: String) { self.init(Array(text.utf8)) }
}

@Suite struct ClassificationTests {
  @Test func theTopFrameIsTheInAppFrameNearestTheException() {
    // Python prints the frame that raised last; Java prints it first.
    let python = "Traceback (most recent call last):\n  File \"/app/main.py\", line 10, in main\n    run()\n"
      + "  File \"/usr/lib/python3.11/site-packages/lib.py\", line 5, in helper\n    helper()\n"
      + "  File \"/app/worker.py\", line 20, in run\n    load()\nMemoryError\n"
    let java = "Exception in thread \"main\" java.lang.IllegalStateException: boom\n\tat com.acme.Worker.run(Worker.java:20)\n"
      + "\tat com.acme.Main.main(Main.java:10)\n"
    for (text, expected) in [(python, "worker:run"), (java, "Worker:run")] {
      let run = ClassifiedRun(Array(text.utf8))
      let frames = run.findings.compactMap { $0.captures["top_frame"] }
      #expect(!frames.isEmpty && frames.allSatisfy { $0 == expected }, "\(frames)")
    }
  }

  @Test func jvmDotNetAndJavaScriptTracesKeepTheirTypeMessageCauseAndFrames() {
    // .NET: the inner exception after its arrow is the root cause; a runtime frame is skipped.
    let dotnet = "Unhandled exception. System.InvalidOperationException: Queue drained\n ---> System.IO.IOException: pipe broken\n"
      + "   at System.IO.Pipe.Read()\n   --- End of inner exception stack trace ---\n"
      + "   at Acme.Jobs.Runner.Step() in /src/Runner.cs:line 42\n   at System.Threading.Tasks.Task.Execute()\n"
    // Java: a library first frame is skipped for the in-app one; "Caused by" is the root cause.
    let java = "java.lang.IllegalStateException: pool closed\n\tat org.apache.pool.Pool.take(Pool.java:9)\n"
      + "\tat com.acme.billing.Invoices.create(Invoices.java:77)\nCaused by: java.net.SocketException: reset\n\tat java.net.Socket.read(Socket.java:1)\n"
    // JavaScript: the module is the file's base name, the function its last dotted part.
    let node = "TypeError: Cannot read properties of undefined (reading 'id')\n"
      + "    at Object.handler (/app/src/routes/orders.js:31:17)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n"
    let cases: [(String, String, String, String, String?)] = [
      (dotnet, "System.InvalidOperationException", "Queue drained", "Runner:Step", "System.IO.IOException"),
      (java, "java.lang.IllegalStateException", "pool closed", "Invoices:create", "java.net.SocketException"),
      (node, "TypeError", "Cannot read properties of undefined (reading 'id')", "orders:handler", nil),
    ]
    for (text, type, message, frame, root) in cases {
      let findings = ClassifiedRun(text).findings
      #expect(!findings.isEmpty, "\(text)")
      for finding in findings {
        #expect(finding.captures["exception_type"] == type)
        #expect(finding.captures["message"] == message)
        #expect(finding.captures["top_frame"] == frame)
        #expect(finding.captures["root_cause"] == root)
        #expect(finding.fingerprint.count == 16 && finding.fingerprint.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
      }
    }
  }

  @Test func everySampleOfTheBuiltInCatalogPasses() {
    let report = PatternCheck.run(ClassifiedRun.catalog.patterns, in: ClassifiedRun.catalog)
    #expect(report.passed, "\(report.failures.map(\.description).joined(separator: "\n"))")
    #expect(report.patterns >= 80)
    #expect(Set(ClassifiedRun.catalog.patterns.map(\.pattern.category)) == Set(CrashCategory.allCases))
  }

  @Test func theEmbeddedCatalogIsThePatternsDirectory() throws {
    let files = try PatternCatalog.loadFiles(in: [RepositoryPaths.root + "/Patterns"])
    #expect(files.map(\.id) == ClassifiedRun.catalog.patterns.map(\.pattern.id))
  }

  /// Expected language and exception type of each positive corpus file.
  static let corpus: [(String, String, String)] = [
    ("csharp-01.txt", "dotnet", "System.Collections.Generic.KeyNotFoundException"),
    ("csharp-02.txt", "dotnet", "System.InvalidOperationException"),
    ("csharp-03.txt", "dotnet", "System.InvalidOperationException"),
    ("dart-01.txt", "dart", "Instance of 'MyError'"),
    ("dart-02.txt", "dart", "Exception"),
    ("go-01.txt", "go", "panic"), ("go-02.txt", "go", "runtime error"), ("go-03.txt", "go", "panic"), ("go-04.txt", "go", "panic"),
    ("java-01.txt", "java", "RuntimeException"), ("java-02.txt", "java", "javax.servlet.ServletException"),
    ("java-03.txt", "java", "java.lang.RuntimeException"), ("java-04.txt", "java", "SomeException"),
    ("js-01.txt", "javascript", "ReferenceError"), ("js-02.txt", "javascript", "Error"),
    ("php-01.txt", "php", "Exception"), ("php-02.txt", "php", "Exception"),
    ("python-01.txt", "python", "Exception"), ("python-02.txt", "python", "Exception"),
    ("ruby-01.txt", "ruby", "NoMethodError"), ("ruby-02.txt", "ruby", "ActionController::RoutingError"),
    ("ruby-03.txt", "ruby", "RuntimeError"),
  ]

  @Test func everyPositiveCorpusFileGivesOneTracebackFinding() {
    let names = RepositoryPaths.list(RepositoryPaths.detectExceptions).filter { $0.hasSuffix(".txt") && $0 != "none-01.txt" }
    #expect(names.count == 41)
    for name in names {
      let run = ClassifiedRun(RepositoryPaths.read(RepositoryPaths.detectExceptions + "/" + name), name: name)
      let findings = run.findings
      #expect(findings.count == 1, "\(name): \(findings.map(\.signature))")
      guard let finding = findings.first else { continue }
      // A traceback, or the more specific category of its final exception.
      #expect(finding.category == (name == "go-03.txt" ? .segfault : .traceback), "\(name): \(finding.category) \(finding.signature)")
      #expect(finding.captures["language"] != nil, "\(name): no language")
      #expect(finding.captures["exception_type"] != nil, "\(name): no exception type")
      if let expected = Self.corpus.first(where: { $0.0 == name }) {
        #expect(finding.captures["language"] == expected.1, "\(name)")
        #expect(finding.captures["exception_type"] == expected.2, "\(name): \(finding.signature) \(finding.captures)")
      }
    }
    let negative = ClassifiedRun(RepositoryPaths.read(RepositoryPaths.detectExceptions + "/none-01.txt"))
    #expect(negative.findings.isEmpty)
  }

  /// Workers scan whole batches of event texts at once; a literal that starts in one event
  /// and ends in the next must not count, and every event must get what it gets alone, in
  /// input order, whichever thread classified its batch (0 workers: the producer alone).
  @Test(arguments: [0, 1, 3])
  func batchClassificationFindsWhatEventByEventClassificationFinds(workers: Int) {
    var bytes: [UInt8] = []
    for name in RepositoryPaths.list(RepositoryPaths.detectExceptions) where name.hasSuffix(".txt") {
      bytes += RepositoryPaths.read(RepositoryPaths.detectExceptions + "/" + name) + Array("\n".utf8)
    }
    bytes += RepositoryPaths.read(RepositoryPaths.root + "/Samples/celery-crashloop/compose.log")
    // A literal split across two events ("Connection" ends one, " refused" starts the next),
    // then one at the very start of an event.
    bytes += Array("worker-1  | dial failed: Connection\nworker-1  |  refused by policy\nworker-1  | Connection refused\n".utf8)
    let alone = ClassifiedRun(bytes)
    let batched = ClassifiedRun(bytes, workers: workers)
    #expect(alone.items.count == batched.items.count)
    #expect(alone.findings.count > 50)
    for (one, other) in zip(alone.items, batched.items) {
      #expect(one.findings.map(\.signature) == other.findings.map(\.signature), "line \(one.event.lineNumber)")
      #expect(one.findings.map(\.fingerprint) == other.findings.map(\.fingerprint), "line \(one.event.lineNumber)")
      #expect(one.findings.map(\.captures) == other.findings.map(\.captures), "line \(one.event.lineNumber)")
    }
    #expect(batched.items.suffix(3).map(\.findings.count) == [0, 0, 1])
  }

  /// A regex whose matches start with its anchor is tried only from the anchor; the text
  /// before it still decides `\b` and look-behind, and a later occurrence on the line counts.
  @Test func aRegexTriedFromItsAnchorStillSeesTheLineBeforeIt() {
    func signatures(_ line: String) -> [String] { ClassifiedRun(line + "\n").findings.map(\.signature) }
    #expect(signatures("upstream: connection refused") == ["conn.generic"])
    #expect(signatures("reconnection refused by the pool; retrying") == [])
    #expect(signatures("reconnection refused, then: connection refused") == ["conn.generic"])
    #expect(signatures("celery@w1: Substantial drift from celery@w2 may mean clocks are out of sync.") == ["hb.celery-clock-drift"])
    #expect(signatures("xSubstantial drift from celery@w2 may mean clocks are out of sync.") == [])
  }

  static let crashes: [(String, CrashCategory, [String])] = [
    ("""
      Traceback (most recent call last):
        File "/app/tasks.py", line 74, in enhance_ticket
          text = extract(blob)
        File "/usr/local/lib/python3.11/site-packages/pypdf/reader.py", line 120, in extract
          buf = bytearray(size)
      MemoryError
      """, .oom, ["tasks.py", "MemoryError"]),
    ("Out of memory: Killed process 4242 (python3) total-vm:4123456kB, anon-rss:2012345kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:8000kB oom_score_adj:0", .oom, []),
    ("""
      panic: runtime error: invalid memory address or nil pointer dereference
      [signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a1c2e]

      goroutine 1 [running]:
      main.handle(0x0)
      \t/app/main.go:42 +0x1e
      main.main()
      \t/app/main.go:12 +0x1d
      exit status 2
      """, .segfault, []),
    ("psycopg2.OperationalError: connection to server at \"postgres\" (172.18.0.3), port 5432 failed: Connection refused", .connectionRefused, []),
  ]

  @Test(arguments: Array(Wrapping.allCases))
  func theSameCrashInAnyWrappingGivesTheSameVerdictAndFingerprint(wrapping: Wrapping) {
    for (text, category, _) in Self.crashes {
      let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
      let bare = ClassifiedRun(Wrapping.bare.wrap(lines)).findings
      let wrapped = ClassifiedRun(wrapping.wrap(lines)).findings
      #expect(bare.map(\.category) == [category], "bare: \(bare.map(\.signature))")
      #expect(wrapped.map(\.category) == bare.map(\.category), "\(wrapping)")
      #expect(wrapped.map(\.signature) == bare.map(\.signature), "\(wrapping)")
      #expect(wrapped.map(\.fingerprint) == bare.map(\.fingerprint), "\(wrapping)")
    }
  }

  @Test func fingerprintsIgnorePidsTimesAndLineNumbersButTellBugsApart() {
    func fingerprint(_ text: String) -> String? { ClassifiedRun(text + "\n").findings.first?.fingerprint }
    let first = fingerprint("Out of memory: Killed process 4242 (python3) total-vm:4123456kB, anon-rss:2012345kB, file-rss:0kB")
    let again = fingerprint("Out of memory: Killed process 977 (python3) total-vm:5000000kB, anon-rss:3000000kB, file-rss:12kB")
    let other = fingerprint("Out of memory: Killed process 4242 (postgres) total-vm:4123456kB, anon-rss:2012345kB, file-rss:0kB")
    #expect(first != nil && first == again)
    #expect(first != other)
    let trace = "Traceback (most recent call last):\n  File \"/app/tasks.py\", line 74, in enhance_ticket\n    x()\nKeyError: 'SUPABASE_URL'"
    let moved = trace.replacingOccurrences(of: "line 74", with: "line 80")
    let elsewhere = trace.replacingOccurrences(of: "enhance_ticket", with: "send_email")
    #expect(fingerprint(trace) == fingerprint(moved))
    #expect(fingerprint(trace) != fingerprint(elsewhere))
  }

  /// Lines that look alarming but report no crash.
  static let alarmingButFine = [
    #"  "OOMKilled": false,"#,
    "memory usage 512MB of 2GB",
    "Killed 3 stale sessions",
    "Timeout set to 30s",
    "Deadlock detector enabled",
    "installing panic handler",
    "Panic button pressed by user 42",
    "registered ErrorHandler for /api",
    "Errors: 0, Warnings: 2",
    "No exceptions found in the last run",
    "SUPABASE_URL=https://x.supabase.co loaded",
    "retrying connection (attempt 2 of 5)",
    "connection refused count: 0",
    "Segmentation of users completed",
    "ffmpeg found at /usr/bin/ffmpeg",
    "heartbeat sent to celery@worker-1",
    "Restarting workers gracefully after config change",
    "worker exit code 0",
    "exited with code 0",
    "OutOfMemory test suite passed",
    "MemoryStore initialised with 512 entries",
    "signal handler for SIGTERM installed",
    "Killed process list refreshed",
    "context deadline set to 5s",
    "Back-off policy: exponential, max 30s",
    "CrashLoopBackOff alerts are muted for maintenance",
    "traceback capture enabled",
    "fatal errors: none",
    "deadline exceeded count 0",
    "connect() succeeded to redis:6379",
    "Environment variable DATABASE_URL is set",
    "Worker started, no missed heartbeats",
  ]

  @Test func alarmingLinesThatAreNotCrashesGiveNoFinding() {
    #expect(Self.alarmingButFine.count >= 30)
    for line in Self.alarmingButFine {
      let findings = ClassifiedRun(line + "\n").findings
      #expect(findings.isEmpty, "\(line) → \(findings.map(\.signature))")
    }
  }

  @Test func exitStatusesAreInterpreted() {
    func verdict(_ line: String) -> (CrashCategory?, String?) {
      let finding = ClassifiedRun(line + "\n").findings.first
      return (finding?.category, finding?.captures["signal"])
    }
    #expect(verdict("worker-1 exited with code 137") == (.killed, "SIGKILL"))
    #expect(verdict("worker-1 exited with code 143") == (.terminated, "SIGTERM"))
    #expect(verdict("worker-1 exited with code 139") == (.segfault, "SIGSEGV"))
    #expect(verdict("[2025-11-03 10:13:30,130: ERROR/MainProcess] Process 'ForkPoolWorker-3' pid:42 exited with 'signal 9 (SIGKILL)'").0 == .killed)
  }

  @Test func aHeaderOrFinalLineNamingTheCauseGivesTheVerdictAChainedOneDoesNot() {
    let header = """
      [2025-11-03 10:20:58,972: ERROR/ForkPoolWorker-1] Task tasks.enhance raised unexpected: OperationalError('connection to server at "postgres" (172.18.0.3), port 5432 failed: Connection refused')
      Traceback (most recent call last):
        File "/app/tasks.py", line 80, in enhance
          db.connect()
      psycopg2.OperationalError: connection to server at "postgres" (172.18.0.3), port 5432 failed: Connection refused
      """
    #expect(ClassifiedRun(header + "\n").findings.map(\.category) == [.connectionRefused])
    let chainedOnly = """
      Traceback (most recent call last):
        File "/app/db.py", line 10, in connect
          conn = psycopg2.connect(dsn)
      psycopg2.OperationalError: connection to server at "postgres" (172.18.0.3), port 5432 failed: Connection refused

      During handling of the above exception, another exception occurred:

      Traceback (most recent call last):
        File "/app/tasks.py", line 80, in run
          handle()
      ValueError: Invalid API key format
      """
    let findings = ClassifiedRun(chainedOnly + "\n").findings
    #expect(!findings.contains { $0.category == .connectionRefused })
    #expect(findings.first?.captures["root_cause_category"] == "connection-refused")
  }

  @Test func craftedTraceHeadersDoNotCrashTheClassifier() {
    let rust = ClassifiedRun("thread 'a', b' panicked at 'boom\nConnection refused\n")
    #expect(rust.items.count >= 1)
    let ruby = ClassifiedRun("a.rb:1:in 'm (x': Connection refused)\n\tfrom a.rb:2:in '<main>'\n")
    #expect(ruby.items.count >= 1)
  }

  @Test func taskIDsAndNumbersDoNotSplitAFingerprint() {
    func fingerprint(_ task: String) -> String? {
      ClassifiedRun("[2025-11-03 10:00:00,000: ERROR/ForkPoolWorker-3] Task tasks.x[\(task)] failed: connection to server at \"postgres\" (172.18.0.3), port 5432 failed: Connection refused\n").findings.first?.fingerprint
    }
    let first = fingerprint("9492f02a-bc58-4de4-8736-40a601493c34")
    #expect(first != nil)
    #expect(first == fingerprint("24576ea2-5f4a-4e91-a9e9-05e29c83d3e2"))
  }

  @Test func nonASCIILiteralsAndGroupsAfterEscapedBackslashesWork() throws {
    let yaml = """
      family: user
      patterns:
        - id: user.de
          category: connection-refused
          title: Verbindung abgelehnt
          confidence: strong
          literals: ['Äußere Verbindung abgelehnt']
          regex: 'Äußere Verbindung abgelehnt: (?<host>\\w+) in C:\\\\(?<folder_name>\\w+)'
          explanation: x
          remediation: y
          samples:
            - text: 'Äußere Verbindung abgelehnt: db in C:\\data'
              captures: {host: db, folder_name: data}
          negative: ['nichts']
      """
    let catalog = try PatternCatalog(patterns: try PatternLoader.load(yaml: yaml, file: "user/de.yaml"))
    let report = PatternCheck.run(catalog.patterns, in: catalog)
    #expect(report.passed, "\(report.failures)")
    var reader = EventReader()
    reader.readsAhead = false
    struct Sink: ClassifiedEventSink {
      var findings: [Finding] = []
      mutating func begin(source: TextSource) {}
      mutating func consume(_ event: Event, findings: [Finding]) { self.findings += findings }
      mutating func end(source: TextSource, statistics: SourceStatistics) {}
    }
    var sink = ClassifyingSink(inner: Sink(), classifier: Classifier(catalog: catalog))
    reader.read(stream: ChunkedByteStream("Äußere Verbindung abgelehnt: db in C:\\data\n"), named: "de.log", into: &sink)
    #expect(sink.inner.findings.map(\.captures["host"]) == ["db"])
  }
}

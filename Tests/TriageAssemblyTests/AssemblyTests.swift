import Testing
import TriageAssembly
import TriageInput
import TriageTestSupport
import TriageUnwrapping

@Suite struct AssemblyTests {
  @Test func anErrorLineRightBeforeATraceBecomesItsHeader() {
    let run = PipelineRun("""
      [2025-11-03 10:00:04,100: INFO/MainProcess] Task tasks.enhance[1] received
      [2025-11-03 10:00:04,123: ERROR/ForkPoolWorker-1] Task tasks.enhance[1] raised unexpected: ValueError('Invalid API key format')
      Traceback (most recent call last):
        File "/app/tasks.py", line 74, in enhance_ticket
          client = make_client(key)
      ValueError: Invalid API key format
      [2025-11-03 10:00:05,000: INFO/MainProcess] Task tasks.enhance[2] received

      """)
    #expect(run.events.count == 3)
    let trace = run.events[1]
    #expect(trace.lineCount == 5)
    #expect(trace.text.hasPrefix("[2025-11-03 10:00:04,123: ERROR/ForkPoolWorker-1] Task"))
    #expect(trace.text.hasSuffix("ValueError: Invalid API key format"))
    #expect(trace.level == .error)
    #expect(trace.time == "2025-11-03T10:00:04.123Z")
    #expect(trace.language == .python)
    #expect(run.isBalanced)
  }

  @Test func anInfoLineBeforeATraceStaysApart() {
    let run = PipelineRun("2025-11-03 10:00:04,100 INFO app: starting\nTraceback (most recent call last):\n  File \"a.py\", line 1, in <module>\nKeyError: 'x'\n")
    #expect(run.events.map(\.lineCount) == [1, 3])
  }

  @Test func pythonChainedExceptionsCaretsAndLibpqLinesAreOneEvent() {
    let text = """
      Traceback (most recent call last):
        File "/app/db.py", line 10, in connect
          conn = psycopg2.connect(dsn)
                 ^^^^^^^^^^^^^^^^^^^^^
      psycopg2.OperationalError: connection to server at "postgres" (172.18.0.3), port 5432 failed: Connection refused
      \tIs the server running on that host and accepting TCP/IP connections?

      During handling of the above exception, another exception occurred:

      Traceback (most recent call last):
        File "/app/tasks.py", line 80, in run
          db.connect()
      sqlalchemy.exc.InterfaceError: (psycopg2.InterfaceError) connection already closed
      """
    let run = PipelineRun(text + "\n2025-11-03 10:00:05,000 INFO next\n")
    #expect(run.events.count == 2)
    #expect(run.events[0].text == text)
    #expect(run.events[0].language == .python)
  }

  @Test func goFatalErrorEndsWithItsExitStatusLine() {
    let text = """
      runtime: out of memory: cannot allocate 4194304-byte block (1044512768 in use)
      fatal error: out of memory

      goroutine 1 gp=0xc000002380 m=0 mp=0x5f2ee0 [running]:
      runtime.throw({0x4a1c2e?, 0x0?})
      \t/usr/local/go/src/runtime/panic.go:1023 +0x5c fp=0xc00009bd58 sp=0xc00009bd28 pc=0x43a6bc
      main.main()
      \t/app/main.go:12 +0x1d
      exit status 2
      """
    let run = PipelineRun(text + "\nafter\n")
    #expect(run.events.map(\.text) == [text, "after"])
    #expect(run.events[0].language == .go)
  }

  @Test func nodeUncaughtExceptionWithItsObjectDumpAndTrailer() {
    let text = """
      node:internal/process/promises:288
                  triggerUncaughtException(err, true /* fromPromise */);
                  ^

      Error: connect ECONNREFUSED 127.0.0.1:5432
          at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16) {
        errno: -111,
        code: 'ECONNREFUSED',
        syscall: 'connect',
        address: '127.0.0.1',
        port: 5432
      }

      Node.js v20.11.0
      """
    let run = PipelineRun(text + "\nnpm ERR! code ELIFECYCLE\n")
    #expect(run.events.count == 2)
    #expect(run.events[0].text == text)
    #expect(run.events[0].language == .javascript)
  }

  /// `console.error(err)` of a Node error: the message, its first frame ending in ` {`, and
  /// the error's own properties are one event (no uncaught-exception pre-header before it).
  @Test func nodeErrorLoggedWithItsPropertiesIsOneEvent() {
    let text = """
      Error: connect ECONNREFUSED 172.22.0.3:3000
          at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16) {
        errno: -111,
        code: 'ECONNREFUSED',
        syscall: 'connect',
        address: '172.22.0.3',
        port: 3000
      }
      """
    let run = PipelineRun("job started\n" + text + "\n{\"level\":40,\"msg\":\"retrying\"}\n")
    #expect(run.events.map(\.text) == ["job started", text, #"{"level":40,"msg":"retrying"}"#])
    #expect(run.events[1].language == .javascript)
  }

  @Test func nodeHeapOutOfMemoryReport() {
    let text = """
      <--- Last few GCs --->

      [18:0x5d6e2b0]    45213 ms: Mark-Compact 2047.9 (2083.1) -> 2047.2 (2083.3) MB, 1523.2 / 0.0 ms  (average mu = 0.098, current mu = 0.012) allocation failure; scavenge might not succeed

      <--- JS stacktrace --->

      FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory
       1: 0xb7b3e0 node::Abort() [node]
       2: 0xa8c8aa  [node]
      Aborted (core dumped)
      """
    let run = PipelineRun(text + "\nrestarting\n")
    #expect(run.events.map(\.text) == [text, "restarting"])
    #expect(run.events[0].language == .nodeFatal)
  }

  @Test func rustPanicAndPythonFaulthandler() {
    let rust = "thread 'main' panicked at src/main.rs:12:5:\ncalled `Option::unwrap()` on a `None` value\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace"
    let fatal = """
      Fatal Python error: Segmentation fault

      Current thread 0x00007f3c91b2e740 (most recent call first):
        File "/usr/local/lib/python3.11/site-packages/pypdfium2/_helpers/textpage.py", line 79 in get_text_range
        File "/app/tasks.py", line 74 in enhance_ticket

      Extension modules: psycopg2._psycopg, PIL._imaging (total: 2)
      """
    let run = PipelineRun(rust + "\nafter rust\n" + fatal + "\nafter fatal\n")
    #expect(run.events.map(\.text) == [rust, "after rust", fatal, "after fatal"])
    #expect(run.events.map(\.language) == [.rust, nil, .pythonFatal, nil])
  }

  @Test func eventsAreCappedButEveryLineIsCounted() {
    let frames = (0..<50).map { "  File \"/app/m\($0).py\", line \($0), in f\($0)" }.joined(separator: "\n")
    let text = "Traceback (most recent call last):\n" + frames + "\nRecursionError: maximum recursion depth exceeded\nnext\n"
    let run = PipelineRun(text) { $0.limits.maximumLines = 10 }
    #expect(run.events.count == 2)
    #expect(run.events[0].lineCount == 52)
    #expect(run.events[0].isTruncated)
    #expect(run.events[0].text.split(separator: "\n").count == 10)
    #expect(run.isBalanced)
    #expect(run.diagnostics.warnings.map(\.kind) == [.truncatedEvents])
  }

  @Test func interleavedStreamsNeverMixAndOutputStaysInOrder() {
    let input = """
      worker-1  | 2025-11-03 10:00:04,000 ERROR app: task failed
      api-1     | {"level":"info","msg":"a"}
      worker-1  | Traceback (most recent call last):
      api-1     | {"level":"info","msg":"b"}
      worker-1  |   File "/app/x.py", line 1, in f
      worker-2  | Traceback (most recent call last):
      worker-1  | KeyError: 'k'
      worker-2  |   File "/app/y.py", line 2, in g
      api-1     | {"level":"info","msg":"c"}
      worker-2  | MemoryError
      """
    let run = PipelineRun(input + "\n")
    #expect(run.events.map(\.lineNumber) == [1, 2, 4, 6, 9])
    #expect(run.events.map(\.service) == ["worker-1", "api-1", "api-1", "worker-2", "api-1"])
    #expect(run.events[0].text == "2025-11-03 10:00:04,000 ERROR app: task failed\nTraceback (most recent call last):\n  File \"/app/x.py\", line 1, in f\nKeyError: 'k'")
    #expect(run.events[3].text == "Traceback (most recent call last):\n  File \"/app/y.py\", line 2, in g\nMemoryError")
  }

  @Test func aSilentStreamCannotHoldBackTheOthersForever() {
    var lines = ["worker-1  | 2025-11-03 10:00:04,000 ERROR app: the worker said this and died"]
    for index in 0..<3000 { lines.append("api-1     | {\"level\":\"info\",\"msg\":\"request \(index)\"}") }
    let run = PipelineRun(lines.joined(separator: "\n") + "\n") { $0.limits.maximumSilence = 100 }
    #expect(run.events.count == 3001)
    #expect(run.events.map(\.lineNumber) == Array(1...3001))
  }

  @Test func theSampleIsFullyAccountedFor() {
    let run = PipelineRun(paths: [RepositoryPaths.root + "/Samples"])
    #expect(run.isBalanced)
    #expect(run.diagnostics.errors.isEmpty)
    #expect(run.statistics.count >= 10)
    // Every physical line of every source is in an event, a counted blank, or a span dump.
    for (source, statistics) in run.statistics {
      #expect(statistics.eventLines + statistics.skippedLines.total == statistics.framing.lines, "\(source.name)")
      #expect((statistics.skippedLines.dump > 0) == (statistics.spans > 0), "\(source.name)")
    }
    // worker-oom-traces (Jaeger 202, OTLP 195), celery-crashloop (Jaeger 91 and 611),
    // node-worker-otlp (OTLP file exporter 295).
    let expected: Int = 202 + 195 + 91 + 611 + 295
    #expect(run.statistics.reduce(0) { $0 + $1.1.spans } == expected)
  }
}

import Testing
import TriageInput
import TriageUnwrapping

/// A record copied out of the unwrapper.
struct Unwrapped: Equatable {
  var payload: String
  var service: String?
  var stream: OutputStream?
  var time: String?
  var level: LogLevel?
  var format: String
  var traceID: String?
  var processID: Int32?
  var lineNumber = 1
  var physicalLines = 1
}

/// Unwraps `lines` of one source and returns the records.
func unwrap(_ lines: [String], source: String = "captured.txt") -> [Unwrapped] {
  let services = ServiceTable()
  var unwrapper = RecordUnwrapper(sourceName: source, services: services)
  var result: [Unwrapped] = []
  func keep(_ record: Record) {
    result.append(
      Unwrapped(
        payload: record.payload.string, service: record.service.map { services.name($0) }, stream: record.stream,
        time: record.time(assumingYear: 2025)?.description, level: record.level, format: record.layers.name,
        traceID: record.traceID?.description, processID: record.processID, lineNumber: record.lineNumber,
        physicalLines: record.physicalLines))
  }
  for (index, line) in lines.enumerated() {
    var bytes = Array(line.utf8)
    bytes.withUnsafeMutableBufferPointer { buffer in
      if let record = unwrapper.unwrap(line: UnsafeBufferPointer(buffer), number: index + 1, wasCut: false) { keep(record) }
    }
  }
  unwrapper.finish { keep($0) }
  return result
}

func unwrap(_ line: String, source: String = "captured.txt") -> Unwrapped { unwrap([line], source: source)[0] }

@Suite struct TransportTests {
  @Test func dockerJSONFile() {
    let record = unwrap(#"{"log":"Traceback (most recent call last):\n","stream":"stderr","time":"2025-11-03T10:00:04.123456789Z"}"#)
    #expect(record == Unwrapped(payload: "Traceback (most recent call last):", stream: .stderr, time: "2025-11-03T10:00:04.123Z", format: "docker-json"))
  }

  @Test func dockerJSONFileEscapesAndUnicode() {
    let record = unwrap(#"{"log":"tab\there \"q\" \u003cb\u003e R\u00fcck \ud83d\ude00\n","stream":"stdout","time":"2025-11-03T10:00:04Z"}"#)
    #expect(record.payload == "tab\there \"q\" <b> Rück 😀")
    #expect(record.stream == .stdout)
  }

  @Test func dockerJSONPartsSplitAt16KiBAreJoinedPerStream() {
    let lines = [
      #"{"log":"aaaa","stream":"stderr","time":"2025-11-03T10:00:04.1Z"}"#,
      #"{"log":"other stream\n","stream":"stdout","time":"2025-11-03T10:00:04.2Z"}"#,
      #"{"log":"bbbb","stream":"stderr","time":"2025-11-03T10:00:04.3Z"}"#,
      #"{"log":"cc\n","stream":"stderr","time":"2025-11-03T10:00:04.4Z"}"#,
    ]
    let records = unwrap(lines)
    #expect(records.map(\.payload) == ["other stream", "aaaabbbbcc"])
    #expect(records[1].lineNumber == 1)
    #expect(records[1].physicalLines == 3)
    #expect(records[1].stream == .stderr)
  }

  @Test func criPartialsAreJoinedUntilF() {
    let lines = [
      "2025-11-03T10:00:04.123456789Z stderr P first part ",
      "2025-11-03T10:00:04.223456789Z stdout F unrelated",
      "2025-11-03T10:00:04.323456789Z stderr P second part ",
      "2025-11-03T10:00:04.423456789Z stderr F end",
      "2025-11-03T10:00:05.000000000+02:00 stdout F zone",
    ]
    let records = unwrap(lines, source: "/var/log/pods/default_worker-7d9f8b6c5-x2x9k_0f1e/worker/0.log")
    #expect(records.map(\.payload) == ["unrelated", "first part second part end", "zone"])
    #expect(records.map(\.physicalLines) == [1, 3, 1])
    #expect(records[0].service == "worker-7d9f8b6c5-x2x9k")
    #expect(records[2].time == "2025-11-03T08:00:05.000Z")
    #expect(records[1].format == "cri")
  }

  @Test func criPartialWithoutItsFinalPartIsKeptAtTheEnd() {
    let records = unwrap(["2025-11-03T10:00:04Z stdout P dangling"])
    #expect(records.map(\.payload) == ["dangling"])
  }

  @Test func composeV2V1AndColours() {
    #expect(unwrap("worker-1  | hello").payload == "hello")
    #expect(unwrap("worker-1  | hello").service == "worker-1")
    #expect(unwrap("myproj_worker_1  | hi").service == "myproj_worker_1")
    let coloured = unwrap("\u{1B}[36mworker-1  |\u{1B}[0m \u{1B}[31mERROR\u{1B}[0m boom")
    #expect(coloured.payload == "ERROR boom")
    #expect(coloured.service == "worker-1")
    #expect(coloured.level == .error)
    #expect(coloured.format == "docker-compose+ansi+text")
    let erased = unwrap("\u{1B}[Kapi-1  | ok")
    #expect(erased.service == "api-1" && erased.payload == "ok")
  }

  @Test func textWithABarIsNotAComposePrefix() {
    #expect(unwrap("status | ok").service == nil)
    #expect(unwrap("status | ok").payload == "status | ok")
  }

  @Test func composeWithTimestampsAndAJSONPayload() {
    let record = unwrap(#"api-1  | 2025-11-03T10:00:04.123456Z {"level":"error","msg":"boom","trace_id":"4BF92F3577B34DA6A3CE929D0E0E4736"}"#)
    #expect(record.service == "api-1")
    #expect(record.time == "2025-11-03T10:00:04.123Z")
    #expect(record.level == .error)
    #expect(record.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
    #expect(record.format == "docker-compose+timestamps+json")
    #expect(record.payload.hasPrefix("{\"level\""))
  }

  @Test func kubectlPrefixAndTimestamps() {
    let record = unwrap("[pod/scan-worker-5f7d/worker] 2025-11-03T10:00:04.5Z E1103 10:00:04.500000       1 main.go:42] lost connection")
    #expect(record.service == "scan-worker-5f7d")
    #expect(record.time == "2025-11-03T10:00:04.500Z")
    #expect(record.level == .error)
    #expect(record.format == "kubectl-prefix+timestamps+klog")
    #expect(record.payload.hasPrefix("E1103"))
  }

  @Test func journaldShortISODefaultAndJSON() {
    let iso = unwrap("2025-11-03T10:00:04+0000 host-1 executor[812]: starting executor")
    #expect(iso == Unwrapped(payload: "starting executor", service: "executor", time: "2025-11-03T10:00:04.000Z", format: "journald", processID: 812))
    let plain = unwrap("Nov  3 10:00:04 host-1 systemd[1]: executor.service: Main process exited, code=killed, status=9/KILL")
    // systemd's lines about a unit are that unit's: the crash is the executor's.
    #expect(plain.service == "executor")
    #expect(plain.time == "2025-11-03T10:00:04.000Z")
    #expect(unwrap("2025-11-03T10:00:04+0000 host-1 systemd[1]: worker@2.service: Scheduled restart job, restart counter is at 3.").service == "worker@2")
    #expect(unwrap("2025-11-03T10:00:04+0000 host-1 systemd[1]: Stopping executor.service - Executor...").service == "executor")
    #expect(unwrap("2025-11-03T10:00:04+0000 host-1 systemd[1]: Started executor.service.").service == "systemd")
    #expect(unwrap("2025-11-03T10:00:04+0000 host-1 systemd[1]: Reached target multi-user.target.").service == "systemd")
    #expect(unwrap("2025-11-03T10:00:04+0000 host-1 systemd[1]: user@0.socket: Succeeded.").service == "systemd")
    #expect(plain.payload.hasPrefix("executor.service: Main process exited"))
    let json = unwrap(#"{"__CURSOR":"s=1","__REALTIME_TIMESTAMP":"1762164004123456","PRIORITY":"3","SYSLOG_IDENTIFIER":"executor","_PID":"812","MESSAGE":"connection refused"}"#)
    #expect(json == Unwrapped(payload: "connection refused", service: "executor", time: "2025-11-03T10:00:04.123Z", level: .error, format: "journald-json", processID: 812))
  }

  @Test func syslogRFC3164AndRFC5424() {
    let bsd = unwrap("<11>Nov  3 10:00:04 host-1 worker[42]: out of memory")
    #expect(bsd.level == .error && bsd.service == "worker" && bsd.processID == 42 && bsd.payload == "out of memory")
    #expect(bsd.format == "syslog")
    let modern = unwrap(#"<12>1 2025-11-03T10:00:04.123Z host-1 worker 42 ID47 [meta x="1"] disk almost full"#)
    #expect(modern == Unwrapped(payload: "disk almost full", service: "worker", time: "2025-11-03T10:00:04.123Z", level: .warning, format: "syslog5424", processID: 42))
  }

  @Test func dmesgRelativeAndHumanTimes() {
    let relative = unwrap("[12345.678901] Out of memory: Killed process 4242 (python3)")
    #expect(relative.payload == "Out of memory: Killed process 4242 (python3)")
    #expect(relative.service == "kernel" && relative.time == nil && relative.format == "dmesg")
    let human = unwrap("[Mon Nov  3 10:00:04 2025] python3 invoked oom-killer: gfp_mask=0x100cca")
    #expect(human.time == "2025-11-03T10:00:04.000Z")
    #expect(human.payload.hasPrefix("python3 invoked oom-killer"))
  }
}

@Suite struct PayloadFormatTests {
  @Test func jsonLogKeys() {
    let record = unwrap(#"{"ts":1762164004.5,"severity":"WARNING","service.name":"billing","traceId":"0af7651916cd43dd8448eb211c80319c","msg":"slow"}"#)
    #expect(record == Unwrapped(payload: record.payload, service: "billing", time: "2025-11-03T10:00:04.500Z", level: .warning, format: "json", traceID: "0af7651916cd43dd8448eb211c80319c"))
  }

  @Test func jsonNumericLevelsNestedFieldsAndDatadogDecimalIDs() {
    #expect(unwrap(#"{"level":50,"time":1762164004123,"msg":"pino"}"#).level == .error)
    let nested = unwrap(#"{"@timestamp":"2025-11-03T10:00:04.000Z","log":{"level":"error"},"service":{"name":"api"},"trace":{"id":"4bf92f3577b34da6a3ce929d0e0e4736"}}"#)
    #expect(nested.level == .error && nested.service == "api" && nested.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
    let datadog = unwrap(#"{"level":"info","dd":{"trace_id":"1234567890123456789"},"message":"x"}"#)
    #expect(datadog.traceID == "0000000000000000112210f47de98115")
  }

  /// pino and bunyan name the service `name` (in either order with `level`); a `name` key in
  /// any other JSON log is not a service, and a `service` key wins over it.
  @Test func pinoAndBunyanNamesAreServices() {
    #expect(unwrap(#"{"level":50,"time":1763550000000,"pid":7,"hostname":"h","name":"video-worker","msg":"x"}"#).service == "video-worker")
    #expect(unwrap(#"{"name":"render","hostname":"h","pid":7,"level":30,"msg":"x","time":"2025-11-19T10:00:00.000Z","v":0}"#).service == "render")
    #expect(unwrap(#"{"level":"info","name":"GET /users","msg":"x"}"#).service == nil)
    #expect(unwrap(#"{"level":30,"name":"worker","service":"api","msg":"x"}"#).service == "api")
    #expect(unwrap(#"{"level":30,"name":"billing","user":"x","name":"Alice","msg":"x"}"#).service == "billing")
  }

  @Test func malformedJSONIsText() {
    let record = unwrap(#"{"level":"error","msg":"unterminated"#)
    #expect(record.format != "json")
  }

  @Test func logfmt() {
    let record = unwrap(#"time=2025-11-03T10:00:04.1Z level=error msg="connect: connection refused" trace_id=4bf92f3577b34da6a3ce929d0e0e4736"#)
    #expect(record == Unwrapped(payload: record.payload, time: "2025-11-03T10:00:04.100Z", level: .error, format: "logfmt", traceID: "4bf92f3577b34da6a3ce929d0e0e4736"))
  }

  @Test func pythonCeleryRedisPostgresGoAndLevelFirstText() {
    let python = unwrap("2025-11-03 10:00:04,123 ERROR celery.worker: boom")
    #expect(python.level == .error && python.time == "2025-11-03T10:00:04.123Z" && python.format == "python")
    let dashed = unwrap("2025-11-03 10:00:04,123 - app.tasks - WARNING - slow")
    #expect(dashed.level == .warning)
    let celery = unwrap("[2025-11-03 10:00:04,123: ERROR/ForkPoolWorker-1] Task x raised unexpected: MemoryError()")
    #expect(celery.level == .error && celery.format == "celery" && celery.time == "2025-11-03T10:00:04.123Z")
    let redis = unwrap("1:M 03 Nov 2025 10:00:04.123 # Server initialized")
    #expect(redis.level == .warning && redis.time == "2025-11-03T10:00:04.123Z")
    let postgres = unwrap("2025-11-03 10:00:04.123 UTC [1] FATAL:  the database system is starting up")
    #expect(postgres.level == .critical && postgres.time == "2025-11-03T10:00:04.123Z")
    let go = unwrap("2019/01/15 07:48:05 http: panic serving [::1]:54143: test panic")
    #expect(go.time == "2019-01-15T07:48:05.000Z")
    #expect(unwrap("WARN disk almost full").level == .warning)
    #expect(unwrap("[ERROR] boom").level == .error)
    #expect(unwrap("Errors are fine here").level == nil)
  }
}

@Suite struct TimestampTests {
  @Test func formatsRoundTrip() {
    let time = Timestamp(year: 2025, month: 11, day: 3, hour: 10, minute: 0, second: 4, millisecond: 123)!
    #expect(time.description == "2025-11-03T10:00:04.123Z")
    #expect(Timestamp(millisecondsSinceEpoch: 0).description == "1970-01-01T00:00:00.000Z")
    #expect(Timestamp(year: 2100, month: 2, day: 28, hour: 23, minute: 59, second: 59)!.description == "2100-02-28T23:59:59.000Z")
    #expect(Timestamp(year: 2025, month: 13, day: 1, hour: 0, minute: 0, second: 0) == nil)
  }

  @Test func zonesAndFractions() {
    func parse(_ text: String) -> String? {
      var bytes = Array(text.utf8)
      return bytes.withUnsafeMutableBufferPointer { UnsafeBufferPointer($0).timestamp(.iso, at: 0, year: 2025)?.0.description }
    }
    #expect(parse("2025-11-03T10:00:04.5+02:00") == "2025-11-03T08:00:04.500Z")
    #expect(parse("2025-11-03T10:00:04-0130") == "2025-11-03T11:30:04.000Z")
    #expect(parse("2025-11-03 10:00:04,007") == "2025-11-03T10:00:04.007Z")
    #expect(parse("2025-11-03T10:00:04.123456789Z") == "2025-11-03T10:00:04.123Z")
    #expect(parse("2025-11-3T10:00:04Z") == nil)
  }

  @Test func traceIDs() {
    func id(_ text: String) -> String? {
      var bytes = Array(text.utf8)
      return bytes.withUnsafeMutableBufferPointer { TraceID(hex: UnsafeBufferPointer($0))?.description }
    }
    #expect(id("00f067aa0ba902b7") == "000000000000000000f067aa0ba902b7")
    #expect(id("4BF92F3577B34DA6A3CE929D0E0E4736") == "4bf92f3577b34da6a3ce929d0e0e4736")
    #expect(id("00000000000000000000000000000000") == nil)
    #expect(id("xyz") == nil)
  }
}

/// `kubectl describe` output: the lines of a block belong to the object its `Name:` line names.
@Suite struct DescribeOutputTests {
  @Test func theNameLineNamesTheBlocksService() {
    let records = unwrap([
      "Name:             scan-worker-6f9c7d8b5-x7k2p", "Namespace:        scanning", "    Last State:     Terminated",
      "      Reason:       OOMKilled", "Name:             valkey-0", "      Reason:       OOMKilled",
    ])
    #expect(records.map(\.service) == Array(repeating: "scan-worker-6f9c7d8b5-x7k2p", count: 4) + ["valkey-0", "valkey-0"])
    #expect(unwrap("Name: Alice Smith").service == nil)
  }

  /// An npm/pnpm/yarn script's output belongs to the package its banner names.
  @Test func aScriptBannerNamesTheService() {
    let records = unwrap(["> video-worker@1.4.2 status /app", "> node dist/status.js", "No active workers"])
    #expect(records.map(\.service) == ["video-worker", "video-worker", "video-worker"])
    #expect(unwrap(["> @acme/export-worker@2.0.0-rc.1 start", "boom"]).map(\.service) == ["@acme/export-worker", "@acme/export-worker"])
    #expect(unwrap("> quoted text from an e-mail").service == nil)
  }
}

/// What a source's path says about its service.
@Suite struct SourcePathHintsTests {
  @Test func kubeletAndDockerPathsNameTheService() {
    #expect(SourcePathHints(sourceName: "logs/pods/default_worker-7d9f8b6c5-q8r4m_85cd/worker/0.log").service == "worker-7d9f8b6c5-q8r4m")
    #expect(SourcePathHints(sourceName: "c/containers/" + String(repeating: "ab", count: 32) + "/x-json.log").service == "abababababab")
  }

  @Test(arguments: [
    ("/var/log/postgresql/postgresql-16-main.log", "postgresql-16-main"),
    ("bundle.tar.gz:logs/worker.log.2.gz", "worker"),
    ("nginx-20251103.log", "nginx"),
    ("compose.log", nil), ("dmesg.log", nil), ("pods/0.log", nil), ("status.txt", nil), ("syslog", nil),
  ] as [(String, String?)])
  func anApplicationsOwnLogFileNamesItsService(path: String, service: String?) {
    #expect(SourcePathHints(sourceName: path).fileService == service)
  }
}

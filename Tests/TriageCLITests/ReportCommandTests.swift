import Foundation
import Testing
import TriageTestSupport

/// `triage report` (and `triage` alone) on the samples: incidents, severities, restarts,
/// causes, the requests that died, the timeline; `--fail-on`.
@Suite struct ReportCommandTests {
  /// Writes `log` as `compose.log` in a new directory; returns its path.
  func writeLog(_ log: String) -> String {
    let path = RepositoryPaths.temporaryDirectory() + "/compose.log"
    FileManager.default.createFile(atPath: path, contents: Data(log.utf8))
    return path
  }

  func report(_ arguments: [String]) throws -> (run: TriageProcess, document: [String: Any]) {
    let run = try TriageProcess(arguments + ["--format", "json"])
    let document = try #require(try JSONSerialization.jsonObject(with: run.stdout) as? [String: Any], "\(run.stderr)")
    return (run, document)
  }

  @Test func theOOMKilledWorkerIsOneIncidentWithItsRestartAndTheRequestsThatDied() throws {
    let (run, document) = try report(["Samples/worker-oom-traces"])
    #expect(run.status == 0)
    #expect(document["schema"] as? String == "triage.report/1")
    let incidents = try #require(document["incidents"] as? [[String: Any]])
    #expect(incidents.count == 1)
    let oom = incidents[0]
    #expect(oom["category"] as? String == "oom" && oom["severity"] as? String == "medium")
    #expect(oom["services"] as? [String] == ["worker-1"] && oom["count"] as? Int == 1)
    // The kernel's report dates the kill; the compose exit line has no time of its own.
    #expect(oom["first_seen"] as? String == "2025-11-04T09:57:41.000Z")
    #expect(oom["restarts"] as? [String] == ["2025-11-04T09:57:43.418Z"])
    #expect((oom["trace_ids"] as? [String])?.sorted() == OOMSample.incomplete)
    // One occurrence, all of its evidence: the kernel's report lines and the exit line.
    let findingIDs = try #require(oom["finding_ids"] as? [String])
    let findings = try #require(document["findings"] as? [[String: Any]])
    #expect(findingIDs.count == findings.count && findings.count >= 5)
    let traces = try #require(document["traces"] as? [[String: Any]])
    for trace in traces where trace["status"] as? String == "incomplete" { #expect(trace["incident_ids"] as? [String] == ["I1"]) }
    let timeline = try #require(document["timeline"] as? [[String: Any]])
    // The requests' deaths are dated by the crash they died in, so they follow it.
    #expect(timeline.map { $0["kind"] as! String } == ["last-healthy", "crash", "trace", "restart"])
  }

  /// Samples/render-worker-oomloop (its README's table): a worker OOM-killed 4 times in
  /// 40 minutes while the api's calls to it are refused.
  @Test func anOOMLoopIsOneHighIncidentThatCausesTheRefusedCallsAndKillsTheRequests() throws {
    let (run, document) = try report(["Samples/render-worker-oomloop"])
    #expect(run.status == 0, "\(run.stderr)")
    let incidents = try #require(document["incidents"] as? [[String: Any]])
    #expect(incidents.count == 2)
    let oom = try #require(incidents.first { $0["category"] as? String == "oom" })
    #expect(oom["services"] as? [String] == ["render-worker-1"] && oom["count"] as? Int == 4 && oom["severity"] as? String == "high")
    #expect(oom["first_seen"] as? String == "2025-11-05T14:06:12.000Z" && oom["last_seen"] as? String == "2025-11-05T14:39:55.000Z")
    #expect(
      oom["restarts"] as? [String]
        == ["2025-11-05T14:06:15.007Z", "2025-11-05T14:15:42.018Z", "2025-11-05T14:27:05.910Z", "2025-11-05T14:39:58.343Z"])
    let dead = [
      "db636d4b2739c6cee2c3a15ffc553bb4", "5e152d961d47ac4ef3c9d9eb219be9ff", "9c3f8554314f6b5fb4854296f6b50f1f", "4b5f8fde7973f44dfe6918a090cc25bb",
      "5dcf94390397f80c9dd42145d7a092a3", "d667c2ccf54f406b2e4476349fc3aeee", "3992ad89f8a7c15e58b4065e5e1d8828", "25000aff5d95b0f4997a57aadd675cbb",
    ]
    #expect((oom["trace_ids"] as? [String])?.sorted() == dead.sorted())
    let refused = try #require(incidents.first { $0["category"] as? String == "connection-refused" })
    #expect(refused["services"] as? [String] == ["api-1"] && refused["count"] as? Int == 16)
    #expect(refused["caused_by"] as? String == oom["id"] as? String)
    #expect((refused["cause_evidence"] as? String)?.contains("connections to render-worker were refused from api-1") == true)
    let traces = try #require(document["traces"] as? [[String: Any]])
    #expect(traces.filter { $0["status"] as? String == "incomplete" }.count == 8)
  }

  /// The same container's lines read twice (a compose capture and the kubelet's CRI file) are
  /// one set of occurrences, not two; a replica's own identical-looking crash is not a copy.
  @Test func copiesOfTheSameLinesThroughTwoFilesCountOnce() throws {
    let directory = RepositoryPaths.temporaryDirectory()
    let lines = [
      "2025-11-03T10:00:01.000000000Z [2025-11-03 10:00:01,000: ERROR/MainProcess] Process 'ForkPoolWorker-3' pid:42 exited with 'signal 9 (SIGKILL)'",
      "2025-11-03T10:00:09.000000000Z [2025-11-03 10:00:09,000: INFO/MainProcess] celery@w ready.",
    ]
    let compose = lines.map { "worker-1  | " + $0.split(separator: " ", maxSplits: 1)[1] }.joined(separator: "\n") + "\n"
    RepositoryPaths.write(Array(compose.utf8), to: directory + "/compose.log")
    let cri = lines.map { $0.replacingOccurrences(of: "Z [", with: "Z stderr F [") }.joined(separator: "\n") + "\n"
    mkdir(directory + "/pods", 0o755)
    mkdir(directory + "/pods/default_worker-7d9f8b6c5-x2x9k_85cdd7c5", 0o755)
    mkdir(directory + "/pods/default_worker-7d9f8b6c5-x2x9k_85cdd7c5/worker", 0o755)
    RepositoryPaths.write(Array(cri.utf8), to: directory + "/pods/default_worker-7d9f8b6c5-x2x9k_85cdd7c5/worker/0.log")
    let (_, document) = try report([directory])
    let incidents = try #require(document["incidents"] as? [[String: Any]])
    let killed = try #require(incidents.first { $0["category"] as? String == "killed" })
    #expect(incidents.filter { $0["category"] as? String == "killed" }.count == 1)
    #expect(killed["count"] as? Int == 1 && killed["services"] as? [String] == ["worker-1"])
    #expect((killed["finding_ids"] as? [String])?.count == 2, "the copy is kept as evidence")
  }

  /// Two docker json-file containers logging the same kill at the same moment are two kills: a
  /// container id may be any service's, but two ids are two instances.
  @Test func twoContainersWithTheSameLineAreTwoInstances() throws {
    let directory = RepositoryPaths.temporaryDirectory()
    for id in ["a", "b"].map({ String(repeating: $0, count: 64) }) {
      mkdir(directory + "/" + id, 0o755)
      let line = #"{"log":"[2025-11-03 10:00:05,200: ERROR/MainProcess] Process 'ForkPoolWorker-3' pid:42 exited with 'signal 9 (SIGKILL)'\n","stream":"stderr","time":"2025-11-03T10:00:05.200000000Z"}"#
      RepositoryPaths.write(Array((line + "\n").utf8), to: directory + "/\(id)/\(id)-json.log")
    }
    let (_, document) = try report([directory])
    let killed = (document["incidents"] as? [[String: Any]] ?? []).filter { $0["category"] as? String == "killed" }
    #expect(killed.reduce(0) { $0 + ($1["count"] as? Int ?? 0) } == 2)
  }

  /// A line without a time of its own is dated by its source's line before it, a lower bound:
  /// it may be a copy of a line minutes before it, but not of one minutes after.
  @Test func anUndatedCrashAfterADatedOneElsewhereIsASecondCrash() throws {
    let directory = RepositoryPaths.temporaryDirectory()
    let pod = directory + "/pods/default_worker-7d9f8b6c5-x2x9k_85cdd7c5/worker"
    for part in ["/pods", "/pods/default_worker-7d9f8b6c5-x2x9k_85cdd7c5", "/pods/default_worker-7d9f8b6c5-x2x9k_85cdd7c5/worker"] {
      mkdir(directory + part, 0o755)
    }
    RepositoryPaths.write(Array("2025-11-03T10:00:01.000000000Z stderr F Fatal Python error: Segmentation fault\n".utf8), to: pod + "/0.log")
    let compose = """
      worker-1  | [2025-11-03 10:02:00,000: INFO/MainProcess] celery@w ready.
      worker-1  | Fatal Python error: Segmentation fault

      """
    RepositoryPaths.write(Array(compose.utf8), to: directory + "/compose.log")
    let (_, document) = try report([directory])
    let segfaults = (document["incidents"] as? [[String: Any]] ?? []).filter { $0["category"] as? String == "segfault" }
    #expect(segfaults.reduce(0) { $0 + ($1["count"] as? Int ?? 0) } == 2)
  }

  /// `kubectl describe`'s `Finished:` dates its termination's `Reason: OOMKilled`, not the
  /// `State: Waiting` block's `Reason: CrashLoopBackOff` above it, which stays evidence of the
  /// pod's latest crash (no restart-loop incident of its own).
  @Test func describesFinishedDatesTheTerminationOnly() throws {
    let directory = RepositoryPaths.temporaryDirectory()
    mkdir(directory + "/describe", 0o755)
    mkdir(directory + "/pods", 0o755)
    let describe = """
      Name:             scan-worker-6f9c7d8b5-x7k2p
      Containers:
        worker:
          State:          Waiting
            Reason:       CrashLoopBackOff
          Last State:     Terminated
            Reason:       OOMKilled
            Exit Code:    137
            Started:      Wed, 12 Nov 2025 14:09:56 +0000
            Finished:     Wed, 12 Nov 2025 14:13:38 +0000
          Ready:          False

      """
    RepositoryPaths.write(Array(describe.utf8), to: directory + "/describe/pods.txt")
    let log = """
      2025-11-12T14:13:30.100000000Z 2025-11-12 14:13:30,100 INFO [scanworker.worker] scanning repo
      2025-11-12T14:13:38.500000000Z Fatal Python error: Segmentation fault
      2025-11-12T14:13:50.100000000Z 2025-11-12 14:13:50,100 INFO [scanworker.worker] started

      """
    RepositoryPaths.write(Array(log.utf8), to: directory + "/pods/scan-worker-6f9c7d8b5-x7k2p.log")
    let (_, document) = try report([directory])
    let incidents = document["incidents"] as? [[String: Any]] ?? []
    #expect(!incidents.contains { $0["category"] as? String == "crashloop" }, "\(incidents.map { $0["title"] ?? "" })")
    let oom = try #require(incidents.first { $0["category"] as? String == "oom" })
    #expect(oom["count"] as? Int == 1 && oom["first_seen"] as? String == "2025-11-12T14:13:38.500Z")
    #expect(oom["restarts"] as? [String] == ["2025-11-12T14:13:50.100Z"])
  }

  @Test func theCeleryCrashLoopIsHighAndItsRefusedConnectionsAreOneIncident() throws {
    let (_, document) = try report(["Samples/celery-crashloop/compose.log.1.gz", "Samples/celery-crashloop/compose.log"])
    let incidents = try #require(document["incidents"] as? [[String: Any]])
    let killed = try #require(incidents.first { $0["category"] as? String == "killed" })
    #expect(killed["severity"] as? String == "high" && killed["count"] as? Int == 8)
    #expect(killed["services"] as? [String] == ["worker-1", "worker-2"])
    #expect((killed["restarts"] as? [String])?.count == 8)
    // The api's refused connections to postgres: the libpq and generic signatures of one outage.
    let refused = incidents.filter { $0["category"] as? String == "connection-refused" && ($0["services"] as? [String]) == ["api-1"] }
    #expect(refused.count == 1 && refused.first?["count"] as? Int == 5)
    #expect(incidents.first?["severity"] as? String == "high")
    let terminated = incidents.filter { $0["category"] as? String == "terminated" }
    #expect(!terminated.isEmpty && terminated.allSatisfy { $0["severity"] as? String == "info" })
  }

  @Test func refusedConnectionsToACrashedServiceAreCausedByItsCrash() throws {
    let log = #"""
postgres-1  | 2025-11-04 10:00:00.000 UTC [1] LOG:  database system is ready to accept connections
api-1       | {"time":"2025-11-04T10:00:01.000Z","level":"info","msg":"GET /healthz 200"}
postgres-1  | 2025-11-04 10:00:05.000 UTC [1] LOG:  checkpoint starting: time
postgres-1 exited with code 137
api-1       | {"time":"2025-11-04T10:00:07.000Z","level":"error","msg":"connection to server at \"postgres\" (172.18.0.3), port 5432 failed: Connection refused"}
api-1       | {"time":"2025-11-04T10:00:09.000Z","level":"error","msg":"connection to server at \"postgres\" (172.18.0.3), port 5432 failed: Connection refused"}
postgres-1  | 2025-11-04 10:00:12.000 UTC [1] LOG:  database system is ready to accept connections
"""#
    let (_, document) = try report([writeLog(log)])
    let incidents = try #require(document["incidents"] as? [[String: Any]])
    let crash = try #require(incidents.first { $0["category"] as? String == "killed" })
    let refused = try #require(incidents.first { $0["category"] as? String == "connection-refused" })
    #expect(crash["services"] as? [String] == ["postgres-1"] && crash["restarts"] as? [String] == ["2025-11-04T10:00:12.000Z"])
    #expect(refused["caused_by"] as? String == crash["id"] as? String)
    #expect((refused["cause_evidence"] as? String)?.contains("connections to postgres were refused from api-1 2.0s after postgres-1 crashed") == true)
    #expect(crash["caused_by"] is NSNull)
  }

  @Test func markdownTablesKeepTheirColumnsAndLogTextStaysInert() throws {
    let log = """
      api-1       | {"time":"2025-11-04T10:00:00.000Z","level":"info","msg":"ok"}
      postgres-1  | 2025-11-04 10:00:05.000 UTC [1] LOG:  a|b <script>alert(1)</script> checkpoint
      postgres-1 exited with code 137
      api-1       | {"time":"2025-11-04T10:00:07.000Z","level":"error","msg":"connection to server at \"postgres\" (172.18.0.3), port 5432 failed: Connection refused | <script>x</script>"}

      """
    let run = try TriageProcess(["report", "--format", "markdown", writeLog(log)])
    #expect(run.status == 0, "\(run.stderr)")
    let lines = run.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    // Every row of a table has as many unescaped pipes as its header.
    func pipes(_ line: String) -> Int {
      var count = 0
      var previous: Character = " "
      for character in line {
        if character == "|" && previous != "\\" { count += 1 }
        previous = character
      }
      return count
    }
    var header: Int?
    var rows = 0
    var inFence = false
    for line in lines {
      if line.hasPrefix("```") { inFence.toggle(); continue }
      guard !inFence else { continue }
      #expect(!line.contains("<script>"), "\(line)")
      if line.hasPrefix("|") {
        if header == nil { header = pipes(line) } else { #expect(pipes(line) == header, "\(line)"); rows += 1 }
      } else {
        header = nil
      }
    }
    #expect(rows >= 4)
    #expect(run.output.contains("&lt;script>"))
    // The evidence shows the events before the exemplar (default 5), with their services.
    #expect(run.output.contains("after the 3 event(s) before it"))
    #expect(run.output.contains("postgres-1 | 2025-11-04 10:00:05.000 UTC [1] LOG:  a|b <script>"))
  }

  @Test func htmlIsSelfContainedAndLogTextIsEscaped() throws {
    let log = """
      api-1       | {"time":"2025-11-04T10:00:00.000Z","level":"info","msg":"ok"}
      postgres-1  | 2025-11-04 10:00:05.000 UTC [1] LOG:  <script>alert(1)</script> <img src=x onerror=alert(2)> checkpoint
      postgres-1 exited with code 137
      api-1       | {"time":"2025-11-04T10:00:07.000Z","level":"error","msg":"connection to server at \"postgres\" (172.18.0.3), port 5432 failed: Connection refused <script>x</script>"}

      """
    let run = try TriageProcess(["report", "--format", "html", writeLog(log)])
    #expect(run.status == 0, "\(run.stderr)")
    let html = run.output
    #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
    // Only the report's own tags: no script, no image, nothing fetched from elsewhere.
    let allowed: Set<String> = [
      "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "strong", "svg", "text", "line", "circle", "table", "tr", "th",
      "td", "ul", "li", "a", "code", "details", "summary", "pre",
    ]
    var tags: Set<String> = []
    var rest = Substring(html)
    while let open = rest.firstIndex(of: "<") {
      rest = rest[rest.index(after: open)...]
      let name = rest.drop { $0 == "/" || $0 == "!" }.prefix { $0.isLetter || $0.isNumber }
      tags.insert(name.lowercased())
    }
    tags.remove("doctype")
    #expect(tags.isSubset(of: allowed), "\(tags.subtracting(allowed))")
    #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    #expect(!html.contains("src=\"http") && !html.contains("href=\"http"))
    #expect(html.contains("<svg") && html.contains("<details>"))
  }

  @Test func sinceUntilAndServiceKeepTheirWindow() throws {
    let paths = ["Samples/celery-crashloop/compose.log.1.gz", "Samples/celery-crashloop/compose.log"]
    let (_, document) = try report(["--since", "2025-11-03T10:20:00Z", "--until", "2025-11-03T10:25:00Z", "--service", "worker"] + paths)
    let incidents = try #require(document["incidents"] as? [[String: Any]])
    #expect(!incidents.isEmpty)
    for incident in incidents {
      #expect((incident["services"] as? [String])?.allSatisfy { $0.hasPrefix("worker-") } == true)
      #expect((incident["first_seen"] as? String ?? "") >= "2025-11-03T10:20:00.000Z" && (incident["last_seen"] as? String ?? "") <= "2025-11-03T10:25:00.000Z")
    }
    let bad = try TriageProcess(["report", "--since", "yesterday"] + paths)
    #expect(bad.status == 64 && bad.stderr.contains("'yesterday' is not a time"))
  }

  @Test func terminalEscapesInLogTextAreInertInTheTextReport() throws {
    let log = "postgres-1  | 2025-11-04 10:00:05.000 UTC [1] LOG:  \u{1B}]0;owned\u{07}checkpoint \u{1B}[2J\u{9B}31m <script>x</script>\n"
      + "postgres-1 exited with code 137\n"
    let run = try TriageProcess(["report", writeLog(log)])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.output.contains("killed"))
    #expect(!run.output.utf8.contains(0x1B) && !run.output.utf8.contains(0x07) && !run.output.unicodeScalars.contains("\u{9B}"))
  }

  @Test func triageAloneIsTheReportAndFailOnSetsTheExitStatus() throws {
    let plain = try TriageProcess(["Samples/worker-oom-traces/compose.log", "Samples/worker-oom-traces/dmesg.log"])
    #expect(plain.status == 0, "\(plain.stderr)")
    #expect(plain.output.contains("[MEDIUM] I1 worker-1:"))
    #expect(plain.output.contains("restarts: 2025-11-04T09:57:43.418Z"))
    let failing = try TriageProcess(["report", "--fail-on", "medium", "Samples/worker-oom-traces/compose.log", "Samples/worker-oom-traces/dmesg.log"])
    #expect(failing.status == 1)
    let passing = try TriageProcess(["report", "--fail-on", "high", "Samples/worker-oom-traces/compose.log", "Samples/worker-oom-traces/dmesg.log"])
    #expect(passing.status == 0)
  }
}

/// Secrets planted in crash lines appear in no report unless `--no-redact` (issue 5).
@Suite struct ReportRedactionTests {
  static let secrets = [
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.SflKxwRJSMeKKF2QT4fwpMeJf36", "s3cr3tpass", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  ]

  @Test func noFormatShowsAPlantedSecret() throws {
    let log = """
      worker-1    | 2025-11-04 10:00:00,000 ERROR [tasks] - AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY job failed
      worker-1    | Traceback (most recent call last):
      worker-1    |   File "/app/tasks.py", line 10, in run
      worker-1    |     connect("postgres://app:s3cr3tpass@db:5432/app", token="eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.SflKxwRJSMeKKF2QT4fwpMeJf36")
      worker-1    | psycopg2.OperationalError: connection to server at "db" (10.0.0.5), port 5432 failed: Connection refused
      worker-1    | 2025-11-04 10:00:01,000 INFO [tasks] - retrying

      """
    let directory = RepositoryPaths.temporaryDirectory()
    FileManager.default.createFile(atPath: directory + "/compose.log", contents: Data(log.utf8))
    for format in ["text", "json"] {
      let run = try TriageProcess(["report", "--format", format, directory + "/compose.log"])
      #expect(run.status == 0, "\(run.stderr)")
      #expect(run.output.contains("connection-refused"), "\(run.output)")
      for secret in Self.secrets { #expect(!run.output.contains(secret), "\(format): \(secret)") }
      if format == "json" { #expect(run.output.contains("[REDACTED:jwt]") && run.output.contains("app:[REDACTED]@db")) }
    }
    let raw = try TriageProcess(["report", "--format", "json", "--no-redact", directory + "/compose.log"])
    #expect(Self.secrets.allSatisfy { raw.output.contains($0) }, "\(raw.output)")
  }
}

/// Timestamps without a year take the year the file was last modified, and the run says so.
@Suite struct AssumedYearTests {
  @Test func aSyslogFileTakesItsModificationYear() throws {
    let directory = RepositoryPaths.temporaryDirectory()
    let path = directory + "/syslog"
    let log = "Nov  3 10:00:04 host worker[42]: Out of memory: Killed process 42 (python) total-vm:100kB, anon-rss:90kB, file-rss:0kB, shmem-rss:0kB\n"
    FileManager.default.createFile(atPath: path, contents: Data(log.utf8))
    // 2021-12-31T12:00:00Z
    try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_640_952_000)], ofItemAtPath: path)
    let run = try TriageProcess(["events", "--format", "json", path])
    #expect(run.output.contains("\"time\":\"2021-11-03T10:00:04.000Z\""), "\(run.output)")
    #expect(run.stderr.contains("2021 was assumed: the year the file was last modified"), "\(run.stderr)")
  }
}

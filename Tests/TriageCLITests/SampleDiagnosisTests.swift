import Foundation
import Testing
import TriageTestSupport

/// The five runbook incidents of Samples/, end to end: each test asserts the facts of the
/// sample's README ("What happened", "What Triage should report"): incidents with category,
/// services, count, first and last seen, severity and restarts; causal links; the requests that
/// died and where they stopped; and what must not be reported.
@Suite struct SampleDiagnosisTests {
  struct Report {
    let document: [String: Any]
    var incidents: [[String: Any]] { document["incidents"] as? [[String: Any]] ?? [] }
    var traces: [[String: Any]] { document["traces"] as? [[String: Any]] ?? [] }

    init(_ paths: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
      let run = try TriageProcess(["report", "--format", "json"] + paths)
      #expect(run.status == 0, "\(run.stderr)", sourceLocation: sourceLocation)
      document = try #require(try JSONSerialization.jsonObject(with: run.stdout) as? [String: Any], sourceLocation: sourceLocation)
    }

    /// The one incident of `category` whose services include `service`.
    func incident(_ category: String, on service: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
      let matching = incidents.filter { $0["category"] as? String == category && ($0["services"] as? [String] ?? []).contains(service) }
      #expect(matching.count == 1, "\(matching.count) \(category) incidents on \(service)", sourceLocation: sourceLocation)
      return try #require(matching.first, sourceLocation: sourceLocation)
    }

    func incidents(_ category: String) -> [[String: Any]] { incidents.filter { $0["category"] as? String == category } }

    func traceIDs(_ status: String) -> [String] {
      traces.filter { $0["status"] as? String == status }.compactMap { $0["trace_id"] as? String }.sorted()
    }
  }

  /// The facts every incident assertion checks.
  func expect(
    _ incident: [String: Any], count: Int, first: String?, last: String?, severity: String, restarts: [String]? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #expect(incident["count"] as? Int == count, "count", sourceLocation: sourceLocation)
    #expect(incident["first_seen"] as? String == first, "first_seen", sourceLocation: sourceLocation)
    #expect(incident["last_seen"] as? String == last, "last_seen", sourceLocation: sourceLocation)
    #expect(incident["severity"] as? String == severity, "severity", sourceLocation: sourceLocation)
    if let restarts { #expect(incident["restarts"] as? [String] == restarts, "restarts", sourceLocation: sourceLocation) }
  }

  /// 1. Scan worker not processing jobs (Kubernetes support bundle, a .tar.gz).
  @Test func scanWorkerNotProcessingJobs() throws {
    let report = try Report(["Samples/scan-worker-k8s"])
    let inputs = report.document["inputs"] as? [[String: Any]] ?? []
    #expect(inputs.count == 15 && inputs.allSatisfy { ($0["path"] as? String)?.contains(".tar.gz:support-bundle-2025-11-12T1508Z/") == true })
    // Pod x7k2p OOM-killed 3 times in 7.6 minutes: the kernel's reports name the pod's cgroup
    // UID, which kubelet's BackOff event ties to the pod's name. q2w8r's kill is dated by its
    // `describe` block (`Finished: Wed, 12 Nov 2025 14:51:09 +0000`), and the kernel's report of
    // it (victim trivy, 0.958 s later) joins it: one kill, not one per source, at the kernel's
    // finer time.
    let workers = try report.incident("oom", on: "scan-worker-6f9c7d8b5-x7k2p")
    // Restarted: the first lines of its later log files (`--previous`, then the live log); the
    // restart after the first kill left no line.
    expect(
      workers, count: 4, first: "2025-11-12T14:06:01.531Z", last: "2025-11-12T14:51:09.958Z", severity: "high",
      restarts: ["2025-11-12T14:09:56.724Z", "2025-11-12T14:14:00.464Z", "2025-11-12T14:51:12.341Z"])
    #expect(workers["services"] as? [String] == ["scan-worker-6f9c7d8b5-x7k2p", "scan-worker-7d4b9c6f5-q2w8r"])
    // valkey-0 OOM-killed on its own: one crash, told by `describe` and by the kernel (victim
    // valkey-server), restarted 2 s later.
    let valkey = try report.incident("oom", on: "valkey-0")
    expect(
      valkey, count: 1, first: "2025-11-12T14:33:51.618Z", last: "2025-11-12T14:33:51.618Z", severity: "medium",
      restarts: ["2025-11-12T14:33:53.208Z"])
    #expect(report.incidents("oom").count == 2, "a kill reported twice (describe and kernel)")
    // The queue refused the workers (three replicas, one incident) and the scheduler: caused by valkey's kill.
    let refused = try report.incident("connection-refused", on: "scan-worker-6f9c7d8b5-tr5vn")
    #expect(Set(refused["services"] as? [String] ?? []).count == 3)
    expect(refused, count: 7, first: "2025-11-12T14:34:05.108Z", last: "2025-11-12T14:34:23.727Z", severity: "medium")
    #expect(refused["caused_by"] as? String == valkey["id"] as? String)
    let scheduler = try report.incident("connection-refused", on: "scan-scheduler-5b8d6c9f47-w9xkt")
    expect(scheduler, count: 2, first: "2025-11-12T14:34:09.825Z", last: "2025-11-12T14:34:18.233Z", severity: "low")
    #expect(scheduler["caused_by"] as? String == valkey["id"] as? String)
    // One trivy scan timed out.
    let timeout = try report.incident("timeout", on: "scan-worker-6f9c7d8b5-tr5vn")
    expect(timeout, count: 1, first: "2025-11-12T14:32:09.331Z", last: "2025-11-12T14:32:09.331Z", severity: "low")
    // The rollout's SIGTERMs (exit 143) are terminations of three pods, not crashes.
    let rollout = try report.incident("terminated", on: "scan-worker-6f9c7d8b5-x7k2p")
    expect(rollout, count: 3, first: "2025-11-12T14:44:02.771Z", last: "2025-11-12T14:44:11.689Z", severity: "info")
    #expect(report.incidents("killed").filter { $0["first_seen"] is String }.isEmpty, "a graceful stop counted as a kill")
    #expect(report.traces.isEmpty)
  }

  /// 2. Celery workers crash-looping (compose logs of worker, api, redis, postgres; Jaeger export).
  @Test func celeryWorkersCrashLooping() throws {
    let report = try Report([
      "Samples/celery-crashloop/compose.log.1.gz", "Samples/celery-crashloop/compose.log", "Samples/celery-crashloop/traces",
    ])
    // The poison task: 8 SIGKILLs across both workers, a restart after each.
    let killed = try report.incident("killed", on: "worker-1")
    #expect(killed["services"] as? [String] == ["worker-1", "worker-2"])
    expect(killed, count: 8, first: "2025-11-03T10:13:30.130Z", last: "2025-11-03T10:23:32.766Z", severity: "high")
    #expect((killed["restarts"] as? [String])?.count == 8)
    // MemoryError tracebacks: the tasks failed, the processes lived (no restart).
    let memory = try report.incident("oom", on: "worker-1")
    expect(memory, count: 2, first: "2025-11-03T10:12:31.704Z", last: "2025-11-03T10:12:37.711Z", severity: "medium", restarts: [])
    // The pdfium segfault, the bad API key, postgres refusing the api during its restart.
    let segfault = try report.incident("segfault", on: "worker-1")
    expect(segfault, count: 1, first: "2025-11-03T10:24:38.439Z", last: "2025-11-03T10:24:38.439Z", severity: "medium")
    let config = try report.incident("config", on: "worker-2")
    expect(config, count: 2, first: "2025-11-03T10:31:12.415Z", last: "2025-11-03T10:35:40.917Z", severity: "medium")
    // postgres died without a word; its restart says so (`not properly shut down`), and the
    // api's refused connections around it are caused by it.
    let postgres = try report.incident("killed", on: "postgres-1")
    expect(postgres, count: 1, first: "2025-11-03T10:21:04.577Z", last: "2025-11-03T10:21:04.577Z", severity: "medium")
    let refused = try report.incident("connection-refused", on: "api-1")
    #expect(refused["first_seen"] as? String == "2025-11-03T10:21:00.451Z" && refused["severity"] as? String == "medium")
    #expect(refused["caused_by"] as? String == postgres["id"] as? String)
    #expect(try report.incident("connection-refused", on: "worker-2")["caused_by"] as? String == postgres["id"] as? String)
    // The normal SIGTERM shutdown at the end is information, nothing more.
    #expect(report.incidents("terminated").allSatisfy { $0["severity"] as? String == "info" })
    #expect(try report.incident("terminated", on: "postgres-1")["first_seen"] as? String == "2025-11-03T10:45:01.697Z")
    // The requests that died with the workers: the bulk request and ticket 5057 with the kills,
    // ticket 5071 with the segfault; the errors of the bad key and the 500s are not incomplete.
    #expect(report.traceIDs("incomplete") == ["16103d2810e1e7d230222a66e7625779", "2fb1d77cd31f2d53f2e74f43b6c55110", "8c65e07987c16d8782580e226c86e2ed"])
    #expect((killed["trace_ids"] as? [String])?.sorted() == ["16103d2810e1e7d230222a66e7625779", "8c65e07987c16d8782580e226c86e2ed"])
    #expect(segfault["trace_ids"] as? [String] == ["2fb1d77cd31f2d53f2e74f43b6c55110"])
    #expect(report.traceIDs("error").count == 5 && report.traces.count == 56)
    // Where they stopped: the worker's spans under the missing context_gathering / llm_synthesis.
    let bulk = try #require(report.traces.first { $0["trace_id"] as? String == "8c65e07987c16d8782580e226c86e2ed" })
    #expect((bulk["incomplete_because"] as? [String])?.contains { $0.contains("which is in no dump") } == true)

    // The whole directory adds worker-1's stream twice more (a docker json-file named by its
    // container id, CRI files under the pod's name): copies, not more crashes. The segfault's
    // compose line has no time of its own (it takes the line before it, 10:24:32.665); its CRI
    // copy says 10:24:38.252.
    let whole = try Report(["Samples/celery-crashloop"])
    #expect(!whole.incidents.contains { ($0["services"] as? [String] ?? []).contains("7c2fc07fa518") })
    let kills = try whole.incident("killed", on: "worker-1")
    expect(kills, count: 8, first: "2025-11-03T10:13:30.130Z", last: "2025-11-03T10:23:32.766Z", severity: "high")
    let oneSegfault = try whole.incident("segfault", on: "worker-1")
    expect(oneSegfault, count: 1, first: "2025-11-03T10:24:38.252Z", last: "2025-11-03T10:24:38.252Z", severity: "medium")
    #expect(try whole.incident("terminated", on: "worker-1")["count"] as? Int == 2)
  }

  /// 3. Execution queue stuck (systemd journal of executor, workers and rabbitmq; dmesg -T).
  @Test func executionQueueStuck() throws {
    let report = try Report(["Samples/execution-queue-stuck"])
    // The executor OOM-killed 5 times in 10 minutes; systemd restarts it each time.
    let oom = try report.incident("oom", on: "executor")
    #expect(oom["services"] as? [String] == ["executor"])
    expect(
      oom, count: 5, first: "2025-11-12T10:34:06.000Z", last: "2025-11-12T10:44:05.000Z", severity: "high",
      restarts: [
        "2025-11-12T10:34:11.000Z", "2025-11-12T10:36:51.000Z", "2025-11-12T10:39:21.000Z", "2025-11-12T10:41:47.000Z",
        "2025-11-12T10:44:10.000Z",
      ])
    // systemd's `Scheduled restart job` lines are that crash loop's evidence, not a second incident.
    #expect(report.incidents("crashloop").isEmpty)
    // RabbitMQ's planned restart refused the executor's listener and the workers.
    let rabbit = try report.incident("terminated", on: "rabbitmq-server")
    #expect(rabbit["first_seen"] as? String == "2025-11-12T10:02:03.000Z" && rabbit["severity"] as? String == "info")
    let executorRefused = try report.incident("connection-refused", on: "executor")
    #expect(executorRefused["first_seen"] as? String == "2025-11-12T10:02:04.000Z" && executorRefused["last_seen"] as? String == "2025-11-12T10:02:17.000Z")
    #expect(executorRefused["caused_by"] as? String == rabbit["id"] as? String)
    // The turning point: the completion listener's thread died of it, and the executor lived on without it.
    #expect((executorRefused["severity_reason"] as? String)?.hasSuffix("thread completion-listener died of it (the process lived on without it)") == true)
    let timeline = report.document["timeline"] as? [[String: Any]] ?? []
    #expect(timeline.contains { $0["time"] as? String == "2025-11-12T10:02:13.000Z" && ($0["text"] as? String)?.hasPrefix("thread completion-listener died") == true })
    let workersRefused = try report.incident("connection-refused", on: "worker")
    expect(workersRefused, count: 12, first: "2025-11-12T10:02:04.000Z", last: "2025-11-12T10:02:20.000Z", severity: "medium")
    #expect(workersRefused["caused_by"] as? String == rabbit["id"] as? String)
    // The operator's two stops are one info incident, not crashes; the workers never crashed.
    let stops = try report.incident("terminated", on: "executor")
    expect(stops, count: 2, first: "2025-11-12T10:31:12.000Z", last: "2025-11-12T10:45:29.000Z", severity: "info")
    #expect(!report.incidents.contains { ($0["services"] as? [String] ?? []).contains("worker") && $0["category"] as? String == "oom" })
  }

  /// 4. Node.js worker service (compose logs; OTLP traces from a collector's file exporter).
  @Test func nodeWorkerHeapLoop() throws {
    let report = try Report(["Samples/node-worker-otlp"])
    // Six `JavaScript heap out of memory` crashes (exit 134 is their SIGABRT, not a segfault).
    let oom = try report.incident("oom", on: "worker-1")
    expect(
      oom, count: 6, first: "2025-11-12T09:40:42.680Z", last: "2025-11-12T10:12:59.213Z", severity: "high",
      restarts: [
        "2025-11-12T09:40:46.712Z", "2025-11-12T09:41:52.355Z", "2025-11-12T09:42:58.456Z", "2025-11-12T10:09:48.588Z",
        "2025-11-12T10:11:25.925Z", "2025-11-12T10:13:03.869Z",
      ])
    #expect(report.incidents("segfault").isEmpty)
    // The requests that died in the crashes.
    let dead = [
      "10fb91758983c8a627fb6fecec0fc9a2", "19d92d9cf8f352d69842d310009f64b9", "69b3652f1212280daead61c4b28ebdf8",
      "8fd77bdbdc100deeef6ed283c8bdd45f", "96d4e159149aebd94aab9dc667715f45", "c154d05834228b82c13b919a7444f0b0",
    ]
    #expect(report.traceIDs("incomplete") == dead)
    #expect((oom["trace_ids"] as? [String])?.sorted() == dead)
    // Job 1172 died with attempt 1 at crash 2 (its api span's parent, the attempt's worker span,
    // is in no dump), though the trace goes on to the redelivery that completed it.
    let job1172 = try #require(report.traces.first { $0["trace_id"] as? String == "c154d05834228b82c13b919a7444f0b0" })
    #expect((job1172["crash"] as? [String: Any])?["time"] as? String == "2025-11-12T09:41:50.673Z")
    // Refused connects to the api during its deploy: errors (the calls were retried), caused by the api's stop.
    #expect(report.traceIDs("error") == ["359244f7b92a1665b5ffbde66f7abc01", "4be6d2d0ab862ec11a395a4d9fc4d0a7"])
    let api = try report.incident("terminated", on: "api-1")
    let refused = try report.incident("connection-refused", on: "worker-1")
    #expect(refused["first_seen"] as? String == "2025-11-12T10:31:20.001Z" && refused["last_seen"] as? String == "2025-11-12T10:31:23.040Z")
    #expect(refused["caused_by"] as? String == api["id"] as? String)
    // After the recreate, the worker's spans start their own traces: the context no longer reaches it.
    let timeline = report.document["timeline"] as? [[String: Any]] ?? []
    let lost = try #require(timeline.first { ($0["text"] as? String)?.contains("the trace context no longer reaches worker from api") == true })
    #expect(lost["kind"] as? String == "trace" && lost["time"] as? String == "2025-11-12T10:05:42.451Z")
    #expect((lost["text"] as? String)?.hasPrefix("worker started 10 trace(s) of its own at worker/export.run") == true)
    let traces = try TriageProcess(["traces", "Samples/node-worker-otlp"])
    #expect(traces.output.contains("Context lost:\n  worker started 10 trace(s) of its own at worker/export.run from 2025-11-12T10:05:42.451Z on"))
    // The recreate at 10:04 is a stop, not a crash.
    let recreate = try report.incident("terminated", on: "worker-1")
    expect(recreate, count: 1, first: "2025-11-12T10:04:30.900Z", last: "2025-11-12T10:04:30.900Z", severity: "info")
  }

  /// 5. Video worker with no active workers (pino JSON logs, pnpm console, status output, dmesg, postgres).
  @Test func videoWorkerWithNoActiveWorkers() throws {
    let report = try Report(["Samples/video-worker-no-workers"])
    // The root cause: postgres stopped, the heartbeat's refused connection was not handled, the worker died.
    let postgresStop = try report.incident("terminated", on: "postgresql-16-main")
    #expect(postgresStop["first_seen"] as? String == "2025-11-19T12:31:40.118Z")
    // Its last occurrence ended the process (Node's unhandled-rejection exit), and nothing
    // restarted it: the worker was out to the end of the logs, so the incident is high.
    let refused = try report.incident("connection-refused", on: "video-worker")
    expect(refused, count: 5, first: "2025-11-19T12:31:40.961Z", last: "2025-11-19T12:31:52.000Z", severity: "high")
    #expect(refused["caused_by"] as? String == postgresStop["id"] as? String)
    #expect(
      (refused["severity_reason"] as? String)?.hasPrefix("5 occurrence(s); one ended the process, and no restart followed the last (down for ")
        == true)
    let timeline = report.document["timeline"] as? [[String: Any]] ?? []
    let exits = timeline.filter { $0["kind"] as? String == "crash" && $0["service"] as? String == "video-worker" }.compactMap { $0["time"] as? String }
    #expect(exits == ["2025-11-19T10:41:08.000Z", "2025-11-19T10:46:23.000Z", "2025-11-19T12:31:52.000Z"])
    let postgresConfig = try report.incident("config", on: "postgresql-16-main")
    #expect(postgresConfig["first_seen"] as? String == "2025-11-19T12:31:41.602Z")
    // The symptom: no active workers, the last heartbeat 45 minutes old.
    // (status.txt's lines carry no time; the pnpm banner names the package.)
    let stale = try report.incident("heartbeat", on: "video-worker")
    #expect(stale["count"] as? Int == 1 && stale["severity"] as? String == "medium")
    // Earlier, fixed: the unset Supabase URL, the missing ffmpeg (one incident for 38 jobs), ffmpeg's segfaults.
    let config = try report.incident("config", on: "video-worker")
    expect(config, count: 2, first: "2025-11-19T10:41:08.000Z", last: "2025-11-19T10:46:23.000Z", severity: "medium")
    let missing = try report.incident("missing-binary", on: "video-worker")
    expect(missing, count: 38, first: "2025-11-19T10:52:44.499Z", last: "2025-11-19T10:54:57.786Z", severity: "medium")
    let segfault = try report.incident("segfault", on: "ffmpeg")
    expect(segfault, count: 3, first: "2025-11-19T11:36:45.000Z", last: "2025-11-19T11:52:08.000Z", severity: "high", restarts: [])
    // The child's crashes are ffmpeg's, not the worker's; the graceful stops are information.
    #expect(!report.incidents("segfault").contains { ($0["services"] as? [String] ?? []).contains("video-worker") })
    let stops = try report.incident("terminated", on: "video-worker")
    expect(stops, count: 2, first: "2025-11-19T10:40:52.208Z", last: "2025-11-19T10:56:10.417Z", severity: "info")
    #expect(report.traces.isEmpty)
  }

  /// Every sample's report in text and Markdown carries its headline incident and no control bytes.
  @Test(arguments: ["scan-worker-k8s", "celery-crashloop", "execution-queue-stuck", "node-worker-otlp", "video-worker-no-workers"])
  func textAndMarkdownReportsAreReadable(sample: String) throws {
    for format in ["text", "markdown"] {
      let run = try TriageProcess(["report", "--format", format, "Samples/" + sample])
      #expect(run.status == 0)
      #expect(run.output.contains("[HIGH]") || run.output.contains("| high |"), "\(sample) \(format): no high incident")
      #expect(!run.stdout.contains(0x1B) && !run.stdout.contains(0x00))
    }
  }
}

import Foundation
import Testing
import TriageTestSupport

/// `triage traces` on the OOM sample: the JSON of CONTRACT.md `traces[]`, the summary, the
/// waterfall, and the errors users see.
@Suite struct TracesCommandTests {
  @Test func jsonListsEveryTraceWithItsHealthAndCrash() throws {
    let run = try TriageProcess(["traces", "--format", "json", "Samples/worker-oom-traces"])
    #expect(run.status == 0, "\(run.stderr)")
    let document = try #require(try JSONSerialization.jsonObject(with: run.stdout) as? [String: Any])
    let traces = try #require(document["traces"] as? [[String: Any]])
    #expect(traces.count == 19)
    let incomplete = traces.filter { $0["status"] as? String == "incomplete" }
    #expect(incomplete.map { $0["trace_id"] as! String }.sorted() == OOMSample.incomplete)
    for trace in incomplete {
      #expect((trace["last_span"] as? [String: String]) == ["service": "worker", "name": "GET"])
      let crash = try #require(trace["crash"] as? [String: Any])
      #expect(crash["category"] as? String == "oom" && crash["service"] as? String == "worker-1")
      #expect((trace["services"] as? [String]) == ["api", "worker"])
      #expect((trace["incident_ids"] as? [String]) == [])
    }
    let stopped = try #require(document["stopped_at"] as? [[String: Any]])
    #expect(stopped.count == 1 && stopped[0]["count"] as? Int == 3 && stopped[0]["name"] as? String == "GET")
    #expect(document["duplicate_spans"] as? Int == 42)
  }

  @Test func textSaysWhereTracesStoppedAndWhy() throws {
    let run = try TriageProcess(["traces", "Samples/worker-oom-traces/compose.log", "Samples/worker-oom-traces/dmesg.log", "Samples/worker-oom-traces/traces"])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.output.contains("19 trace(s): 3 incomplete, 0 error, 16 ok"))
    #expect(run.output.contains("3 trace(s) stopped at worker/GET, tied to worker-1 oom"))
    #expect(run.output.contains("has parent c85d3ab6121efe87, which is in no dump (it never ended)"))
  }

  @Test func oneTraceAsAWaterfallWithItsLogEvents() throws {
    let run = try TriageProcess(["traces", "Samples/worker-oom-traces", "--id", "ade912d66ee15a1b29a4350448f0dbcb"])
    #expect(run.status == 0, "\(run.stderr)")
    let lines = run.output.split(separator: "\n").map(String.init)
    #expect(lines.first == "trace ade912d66ee15a1b29a4350448f0dbcb  incomplete  4 span(s), 5 log event(s)")
    #expect(lines.contains { $0.contains("api/POST /tickets/{ticket_id}/enhance [server]") })
    #expect(lines.contains { $0.contains("⟂ missing parent c85d3ab6121efe87") })
    // The worker's log line (OTel Python format: its trace id is in the text) is interleaved.
    #expect(lines.contains { $0.contains("▸ log worker-1 info:") && $0.contains("context_gathering") })
    let missing = try #require(lines.firstIndex { $0.contains("missing parent") })
    #expect(lines[missing + 1].contains("worker/GET [client]"))
  }

  @Test func logTextCannotDriveTheTerminal() throws {
    let directory = RepositoryPaths.temporaryDirectory()
    // Raw ESC and BEL bytes: a terminal title change and a screen clear.
    let log = "2025-11-04T09:50:00Z INFO trace_id=4bf92f3577b34da6a3ce929d0e0e4736 \u{1B}]0;pwned\u{07} x \u{1B}[2J\n"
    FileManager.default.createFile(atPath: directory + "/app.log", contents: Data(log.utf8))
    let run = try TriageProcess(["traces", directory, "--id", "4bf92f3577b34da6a3ce929d0e0e4736"])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(!run.output.utf8.contains(0x1B) && !run.output.utf8.contains(0x07))
    #expect(run.output.contains("trace_id=4bf92f3577b34da6a3ce929d0e0e4736  x") && run.output.contains("1 log event(s)"))
  }

  @Test func anUnknownOrMalformedIdIsAClearError() throws {
    let unknown = try TriageProcess(["traces", "Samples/worker-oom-traces/traces", "--id", "0123456789abcdef0123456789abcdef"])
    #expect(unknown.status == 1)
    #expect(unknown.stderr.contains("trace 0123456789abcdef0123456789abcdef is in none of the inputs"))
    let malformed = try TriageProcess(["traces", "Samples/worker-oom-traces/traces", "--id", "not-hex"])
    #expect(malformed.status == 64)
    #expect(malformed.stderr.contains("--id takes a trace id of 1 to 32 hex digits"))
  }

  @Test func aBrokenDumpIsReportedAndTheOthersAreStillRead() throws {
    let directory = RepositoryPaths.temporaryDirectory()
    let good = RepositoryPaths.read(RepositoryPaths.root + "/Tests/Fixtures/spans/same-trace.otlp.json")
    FileManager.default.createFile(atPath: directory + "/a-good.json", contents: Data(good))
    FileManager.default.createFile(atPath: directory + "/b-cut.json", contents: Data(good.prefix(good.count / 2)))
    let run = try TriageProcess(["traces", "--format", "json", directory])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stderr.contains("b-cut.json") && run.stderr.contains("truncated"))
    let document = try #require(try JSONSerialization.jsonObject(with: run.stdout) as? [String: Any])
    let traces = try #require(document["traces"] as? [[String: Any]])
    #expect(traces.first?["span_count"] as? Int == 7)
  }
}

enum OOMSample {
  static let incomplete = ["39f5472c83612996136d35d883254ba0", "92e709610556d919566abf5a5fe76ce4", "ade912d66ee15a1b29a4350448f0dbcb"]
}

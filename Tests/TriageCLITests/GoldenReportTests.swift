import Foundation
import Testing
import TriageTestSupport

/// The JSON report of every sample equals its reviewed golden file in Tests/Fixtures/reports/
/// (compared as JSON values). After a deliberate change, regenerate with
/// `TRIAGE_UPDATE_GOLDEN=1 swift test --filter GoldenReportTests`, then review the diff.
@Suite struct GoldenReportTests {
  @Test(arguments: ["celery-crashloop", "worker-oom-traces", "render-worker-oomloop"])
  func theReportMatchesItsGoldenFile(sample: String) throws {
    let run = try TriageProcess(["report", "--format", "json", "Samples/" + sample])
    #expect(run.status == 0, "\(run.stderr)")
    let golden = RepositoryPaths.root + "/Tests/Fixtures/reports/\(sample).json"
    if ProcessInfo.processInfo.environment["TRIAGE_UPDATE_GOLDEN"] == "1" {
      let value = try JSONSerialization.jsonObject(with: run.stdout)
      var data = try JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
      data.append(0x0A)
      try data.write(to: URL(fileURLWithPath: golden))
    }
    let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: golden))) as! NSDictionary
    let actual = try JSONSerialization.jsonObject(with: run.stdout) as! NSDictionary
    #expect(actual == expected, "the report of \(sample) differs from \(golden)")
  }
}

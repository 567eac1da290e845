import Foundation
import Testing
import TriageTestSupport

/// A user pattern that backtracks catastrophically cannot hang a run (issue 7): its match calls
/// give up at the work limit, it is stopped after a few, the run says so, and every other
/// finding is still reported.
@Suite struct PatternWorkLimitTests {
  @Test func aBacktrackingUserPatternIsStoppedAndTheRunFinishes() throws {
    let directory = RepositoryPaths.temporaryDirectory()
    try FileManager.default.createDirectory(atPath: directory + "/patterns", withIntermediateDirectories: true)
    let yaml = """
      family: slow
      patterns:
        - id: user.slow
          category: timeout
          title: A regex with nested repetition
          confidence: weak
          literals: ['aaaaaaaa']
          regex: '^(a+)+$'
          explanation: Nested repetition backtracks exponentially on a near miss.
          remediation: Do not write regexes like this.
          samples:
            - text: 'aaaaaaaa'
          negative:
            - 'bbbb'

      """
    FileManager.default.createFile(atPath: directory + "/patterns/slow.yaml", contents: Data(yaml.utf8))
    // Each near miss (40 a's and a b) takes 2^40 steps without a limit.
    var log = ""
    for second in 0..<20 { log += "2025-11-04T09:50:\(10 + second)Z " + String(repeating: "a", count: 40) + "b\n" }
    log += "2025-11-04T09:51:00Z worker-1 Memory cgroup out of memory: Killed process 24817 (python) total-vm:3000000kB, anon-rss:2000000kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:5000kB oom_score_adj:0\n"
    FileManager.default.createFile(atPath: directory + "/app.log", contents: Data(log.utf8))

    let run = try TriageProcess(["events", "--format", "json", "--patterns", directory + "/patterns", directory + "/app.log"])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stderr.contains("pattern user.slow: 3 match(es) gave up at the work limit"), "\(run.stderr)")
    #expect(run.stderr.contains("it was stopped for the rest of the run"))
    #expect(run.output.contains("\"category\":\"oom\""))
  }
}

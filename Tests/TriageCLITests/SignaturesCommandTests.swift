import Foundation
import Testing
import TriageTestSupport

@Suite struct SignaturesCommandTests {
  static let failingPattern = """
    family: mine
    patterns:
      - id: mine.boom
        category: oom
        title: Boom
        confidence: strong
        literals: ["BOOM happened"]
        regex: 'BOOM happened in (?<process>\\w+)'
        explanation: It went boom.
        remediation: Stop it.
        samples:
          - text: 'BOOM happened, nowhere'
        negative:
          - 'calm'
    """

  @Test func listShowsTheCatalog() throws {
    let run = try TriageProcess(["signatures", "list"])
    #expect(run.status == 0)
    let lines = run.output.split(separator: "\n")
    #expect(lines.count >= 150)
    #expect(lines.contains { $0.hasPrefix("tb.python ") && $0.contains("traceback") })
    let json = try TriageProcess(["signatures", "list", "--format", "json"])
    let entries = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [[String: Any]])
    #expect(entries.count == lines.count)
    #expect(Set(entries.compactMap { $0["category"] as? String }).count == 12)
  }

  @Test func checkPassesOnTheBuiltInsAndExplainsAFailingUserFile() throws {
    let builtIn = try TriageProcess(["signatures", "check"])
    #expect(builtIn.status == 0)
    #expect(builtIn.output.hasSuffix("all pass\n"))
    let directory = RepositoryPaths.temporaryDirectory()
    RepositoryPaths.write(Array(Self.failingPattern.utf8), to: directory + "/mine.yaml")
    let user = try TriageProcess(["signatures", "check", directory])
    #expect(user.status == 1)
    #expect(user.output.contains("FAIL \(directory)/mine.yaml:12: mine.boom: the sample \"BOOM happened, nowhere\" does not match."))
    #expect(user.output.contains("1 patterns, 2 samples: 1 failure(s)"))
  }

  @Test func aBrokenUserPatternStopsTheRunBeforeAnyInputIsRead() throws {
    let directory = RepositoryPaths.temporaryDirectory()
    RepositoryPaths.write(Array(Self.failingPattern.replacingOccurrences(of: "(?<process>\\w+)", with: "(?<process>\\w+").utf8), to: directory + "/mine.yaml")
    let run = try TriageProcess(["events", "--patterns", directory, "Samples/celery-crashloop/compose.log"])
    #expect(run.status == 2)
    #expect(run.stderr.contains("pattern error: \(directory)/mine.yaml:3: the regex of mine.boom does not compile"))
    #expect(run.stdout.isEmpty)
  }

  @Test func theCatalogTravelsInsideTheBinary() throws {
    let directory = RepositoryPaths.temporaryDirectory()
    let copy = directory + "/triage"
    try FileManager.default.copyItem(atPath: TriageProcess.executable, toPath: copy)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: copy)
    process.arguments = ["signatures", "list"]
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let listed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    #expect(listed.split(separator: "\n").count >= 150)
  }

  @Test func classifiedEventsCarryTheirFindings() throws {
    let run = try TriageProcess(["events", "--classify", "--format", "json", "Samples/celery-crashloop/compose.log"])
    #expect(run.status == 0)
    let findings = try run.jsonLines().flatMap { $0["findings"] as? [[String: Any]] ?? [] }
    let categories = Set(findings.compactMap { $0["category"] as? String })
    #expect(categories.isSuperset(of: ["segfault", "killed", "connection-refused", "terminated", "traceback"]))
    for finding in findings {
      #expect((finding["fingerprint"] as? String)?.count == 16)
      #expect(finding["next"] as? String != nil)
    }
    let stats = try TriageProcess(["events", "--stats", "--classify", "Samples/celery-crashloop/compose.log"])
    #expect(stats.output.contains("findings  "))
  }
}

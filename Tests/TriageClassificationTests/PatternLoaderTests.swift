import Foundation
import Testing
import TriageClassification
import TriageTestSupport

@Suite struct PatternLoaderTests {
  static let valid = """
    family: test
    patterns:
      - id: test.boom
        category: oom
        title: Boom
        confidence: strong
        literals: ["BOOM happened"]
        regex: 'BOOM happened in (?<process>\\w+)'
        explanation: Something went boom.
        remediation: Stop it going boom.
        samples:
          - text: 'BOOM happened in worker'
            captures: {process: worker}
        negative:
          - 'no boom here'
    """

  func error(_ yaml: String) -> PatternError? {
    do {
      _ = try PatternCatalog(patterns: try PatternLoader.load(yaml: yaml, file: "user/bad.yaml"))
      return nil
    } catch {
      return error
    }
  }

  @Test func aValidFileLoadsAndChecks() throws {
    let catalog = try PatternCatalog(patterns: try PatternLoader.load(yaml: Self.valid, file: "user/ok.yaml"))
    #expect(catalog.patterns.map(\.pattern.id) == ["test.boom"])
    let report = PatternCheck.run(catalog.patterns, in: catalog)
    #expect(report.passed, "\(report.failures)")
    #expect(report.samples == 2)
  }

  /// `role:` is optional and one of its names; the built-in OOM report's first line has one.
  @Test func rolesAreReadAndCheckedAgainstTheirNames() throws {
    #expect(try PatternLoader.load(yaml: Self.valid, file: "user/ok.yaml")[0].role == .none)
    let started = Self.valid.replacingOccurrences(of: "    confidence: strong\n", with: "    confidence: strong\n    role: oom-report-start\n")
    #expect(try PatternLoader.load(yaml: started, file: "user/ok.yaml")[0].role == .oomReportStart)
    let bogus = Self.valid.replacingOccurrences(of: "    confidence: strong\n", with: "    confidence: strong\n    role: victim\n")
    #expect(error(bogus)?.message.contains("`role: victim` is not one of the allowed values.") == true)
    let catalog = try PatternCatalog.load()
    #expect(catalog.patterns.first { $0.pattern.id == "oom.kernel-invoked-oom-killer" }?.pattern.role == .oomReportStart)
  }

  @Test func scalarsAreReadAsTheFieldsNeedThem() throws {
    // YAML 1.1 spellings of true, and numbers and `null` where text is expected.
    for (spelling, expected) in [("true", true), ("Yes", true), ("on", true), ("false", false), ("no", false)] {
      let yaml = Self.valid.replacingOccurrences(of: "confidence: strong", with: "confidence: strong\n    ignore_case: \(spelling)")
      #expect(try PatternLoader.load(yaml: yaml, file: "user/case.yaml")[0].ignoresCase == expected, "ignore_case: \(spelling)")
    }
    let numeric = Self.valid.replacingOccurrences(of: "title: Boom", with: "title: 404")
      .replacingOccurrences(of: "{process: worker}", with: "{process: 42}")
      .replacingOccurrences(of: "in worker", with: "in 42")
    let pattern = try PatternLoader.load(yaml: numeric, file: "user/numbers.yaml")[0]
    #expect(pattern.title == "404")
    let report = PatternCheck.run(try PatternCatalog(patterns: [pattern]).patterns, in: try PatternCatalog(patterns: [pattern]))
    #expect(report.passed, "\(report.failures)")
  }

  @Test func brokenFilesAreRejectedWithFileLineAndReason() {
    let badYAML = error("family: x\npatterns:\n  - id: [unclosed\n")
    #expect(badYAML?.file == "user/bad.yaml")
    #expect(badYAML?.line != nil)
    #expect(badYAML?.message.hasPrefix("not valid YAML") == true)

    let missing = error(Self.valid.replacingOccurrences(of: "    title: Boom\n", with: ""))
    #expect(missing?.line == 3)
    #expect(missing?.message == "pattern is missing `title:`.")

    let badCategory = error(Self.valid.replacingOccurrences(of: "category: oom", with: "category: explosion"))
    #expect(badCategory?.message == "`category: explosion` is not one of the allowed values.")

    let badRegex = error(Self.valid.replacingOccurrences(of: "(?<process>\\w+)", with: "(?<process>\\w+"))
    #expect(badRegex?.message.contains("the regex of test.boom does not compile") == true)
    #expect(badRegex?.line == 3)

    let shortLiteral = error(Self.valid.replacingOccurrences(of: #"["BOOM happened"]"#, with: #"["BO"]"#))
    #expect(shortLiteral?.message.contains("shorter than 3 bytes") == true)

    let noLiterals = error(Self.valid.replacingOccurrences(of: #"    literals: ["BOOM happened"]"# + "\n", with: ""))
    #expect(noLiterals?.message.contains("has no `literals:`") == true)

    let twice = error(Self.valid + "\n" + Self.valid.split(separator: "\n").dropFirst(2).joined(separator: "\n"))
    #expect(twice?.message.contains("the id test.boom is used twice in this file") == true)
  }

  @Test func theCheckExplainsFailingSamples() throws {
    // The valid pattern with samples that each break a different rule.
    let yaml = Self.valid.components(separatedBy: "    samples:")[0] + """
          samples:
            - text: 'BOOM happened in worker'
              captures: {process: scheduler}
            - text: 'BOOM happened, no process'
            - text: 'boom happened in api'
          negative:
            - 'BOOM happened in api'
      """
    let catalog = try PatternCatalog(patterns: try PatternLoader.load(yaml: yaml, file: "user/check.yaml"))
    let report = PatternCheck.run(catalog.patterns, in: catalog)
    let messages = report.failures.map(\.message)
    #expect(messages.contains("capture process is \"worker\", the sample expects \"scheduler\"."))
    #expect(messages.contains("the sample \"BOOM happened, no process\" does not match. The regex matches up to `BOOM happened` and fails at ` in (?<process>\\w+)`."))
    #expect(messages.contains { $0.hasPrefix("literal \"BOOM happened\" does not occur in the sample \"boom happened in api\"") })
    #expect(messages.contains { $0.hasPrefix("the negative sample \"BOOM happened in api\" matches") })
    #expect(report.failures.count == 5)
    #expect(report.failures.allSatisfy { $0.location.file == "user/check.yaml" && $0.location.line > 0 })
  }

  @Test func userFilesOverrideBuiltInsByID() throws {
    let builtIn = try PatternLoader.load(yaml: Self.valid, file: "Patterns/test.yaml")
    let user = try PatternLoader.load(yaml: Self.valid.replacingOccurrences(of: "title: Boom", with: "title: My boom"), file: "user/test.yaml")
    let catalog = try PatternCatalog(patterns: builtIn + user)
    #expect(catalog.patterns.count == 1)
    #expect(catalog.patterns[0].pattern.title == "My boom")
    #expect(catalog.patterns[0].pattern.location.file == "user/test.yaml")
  }
}

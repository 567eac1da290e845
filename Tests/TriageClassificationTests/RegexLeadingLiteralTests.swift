import Testing
@testable import TriageClassification

@Suite struct RegexLeadingLiteralTests {
  func leading(_ regex: String) -> String? { RegexLeadingLiteral.of(regex).map { String(decoding: $0, as: UTF8.self) } }

  @Test func readsTheLiteralEveryMatchStartsWith() {
    #expect(leading(#"(?i)\bconnection refused\b(?!x)"#) == "connection refused")
    #expect(leading(#"\bClient\.Timeout exceeded while (?<phase>a|b)"#) == "Client.Timeout exceeded while ")
    #expect(leading(#"Worker exited prematurely: signal (?<n>\d+)"#) == "Worker exited prematurely: signal ")
    // A quantifier takes the last byte away; a class, group or escape class ends the literal.
    #expect(leading(#"dial tcp[46]? (?<address>\S+)"#) == "dial tcp")
    #expect(leading(#"exit codes? (?<code>\d+)"#) == "exit code")
    #expect(leading(#"Killed\s+process"#) == "Killed")
  }

  @Test func givesNothingWhenAMatchMayStartElsewhere() {
    #expect(leading(#"(?:\b(?<dependency>redis)\.exceptions\.ConnectionError: )?\bError 111"#) == nil)
    #expect(leading(#"connection refused|ECONNREFUSED"#) == nil)
    #expect(leading(#"^Killed process"#) == nil)
    #expect(leading(#"(?<![\w/])ffmpeg"#) == nil)
    #expect(leading(#"\Qa|b\E"#) == nil)
    #expect(leading(#"(?x) Killed"#) == nil)
    // `|` inside a group or a bracket expression is not a top-level alternation.
    #expect(leading(#"Error (?:111|61) connecting"#) == "Error ")
    #expect(leading(#"Exit code [|] (?<code>\d+)"#) == "Exit code ")
  }

  @Test func placesTheAnchorInsideTheLiteral() {
    #expect(RegexLeadingLiteral.anchorOffset(anchor: Array("refused".utf8), regex: #"Connection Refused by (?<host>\S+)"#) == 11)
    #expect(RegexLeadingLiteral.anchorOffset(anchor: Array("timeout".utf8), regex: #"dial tcp[46]? timeout"#) == nil)
    // Twice in the literal: a match could start at either distance.
    #expect(RegexLeadingLiteral.anchorOffset(anchor: Array("lease lost".utf8), regex: #"lease lost, lease lost again"#) == nil)
  }

  /// The prefilter's window of a literal with digits up front is its longest part without
  /// digits (and without spaces at its ends), when that has 8 bytes or more.
  @Test func prefilterWindowsAvoidDigits() {
    #expect(PatternCatalog.prefilterWindow(of: "ETRA0000 transcode lease lost") == "transcode lease lost")
    #expect(PatternCatalog.prefilterWindow(of: "Error 111 connecting to ") == "connecting to")
    #expect(PatternCatalog.prefilterWindow(of: "[Errno 2] No such file or directory: '") == "] No such file or directory: '")
    #expect(PatternCatalog.prefilterWindow(of: "Connection refused") == "Connection refused")  // no digits
    #expect(PatternCatalog.prefilterWindow(of: "exited with code 137") == "exited with code 137")  // digits after the window
    #expect(PatternCatalog.prefilterWindow(of: "E1042 x9 y7") == "E1042 x9 y7")  // no part long enough
  }

  /// A pattern anchored on a part of its literal still needs the whole literal: the part alone
  /// (`transcode lease lost` without its code) is no match.
  @Test func aWindowedAnchorStillNeedsTheWholeLiteral() throws {
    let yaml = """
      family: user
      patterns:
        - id: user.lease
          category: deadlock
          title: Transcode lease lost
          confidence: strong
          literals: ['ETRA0042 transcode lease lost']
          regex: 'ETRA0042 transcode lease lost'
          explanation: The transcode service lost its lease.
          remediation: See the transcode runbook.
          samples:
            - text: 'ERROR app: ETRA0042 transcode lease lost for 4242-abcd'
          negative:
            - 'ERROR app: ETRA0043 transcode lease lost for 4242-abcd'
            - 'ERROR app: transcode lease lost'
      """
    let catalog = try PatternCatalog(patterns: PatternLoader.load(yaml: yaml, file: "user.yaml"))
    #expect(catalog.patterns[0].anchor == Array("transcode lease lost".utf8))
    #expect(PatternCheck.run(catalog.patterns, in: catalog).passed)
    let lines = [
      "2025-11-03 10:00:00,001 ERROR app: ETRA0042 transcode lease lost for 4242-abcd",
      "2025-11-03 10:00:01,001 ERROR app: ETRA0043 transcode lease lost for 4242-abcd",
      "2025-11-03 10:00:02,001 ERROR app: transcode lease lost",
    ]
    for workers in [nil, 1] {
      let run = ClassifiedRun(Array((lines.joined(separator: "\n") + "\n").utf8), workers: workers, catalog: catalog)
      #expect(run.items.map { $0.findings.map(\.signature) } == [["user.lease"], [], []])
    }
  }
}

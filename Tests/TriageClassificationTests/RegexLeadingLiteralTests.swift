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
  }
}

import Testing
import TriageUnwrapping

/// ICURegex matches ASCII texts on a widened UTF-16 copy and other texts through UTF-8; both
/// must report the same byte offsets.
@Suite struct ICURegexTests {
  func regex(_ pattern: String, sharing wide: WideningBuffer = WideningBuffer()) throws -> ICURegex {
    try ICURegex(pattern: pattern, ignoresCase: false, multiline: false, groupNames: ["host"]).copy(sharing: wide)
  }

  func firstMatch(_ regex: ICURegex, _ text: String) -> (range: Range<Int>, host: Range<Int>?)? {
    var bytes = Array(text.utf8)
    return bytes.withUnsafeMutableBufferPointer { buffer in
      regex.firstMatch(in: UnsafeBufferPointer(buffer)).map { ($0.range, $0.groups[0]) }
    }
  }

  @Test func reportsByteOffsetsForASCIIAndForOtherText() throws {
    let refused = try regex(#"refused by (?<host>\w+)"#)
    let ascii = try #require(firstMatch(refused, "conn refused by db1 now"))
    #expect(ascii.range == 5..<19 && ascii.host == 16..<19)
    // "é" and "→" take 2 and 3 bytes: offsets stay in bytes, not UTF-16 units.
    let wide = try #require(firstMatch(refused, "café → refused by db1 now"))
    #expect(wide.range == 10..<24 && wide.host == 21..<24)
  }

  @Test func regexesSharingABufferEachSeeTheirOwnText() throws {
    let buffer = WideningBuffer()
    let refused = try regex(#"refused by (?<host>\w+)"#, sharing: buffer)
    let timeout = try regex(#"timeout at (?<host>\w+)"#, sharing: buffer)
    let long = String(repeating: "x", count: 10_000) + " timeout at cache7"  // grows the buffer
    #expect(firstMatch(refused, "refused by db1")?.host == 11..<14)
    #expect(firstMatch(timeout, long)?.host == 10_012..<10_018)
    #expect(firstMatch(refused, long) == nil)
    #expect(firstMatch(refused, "a refused by db2")?.host == 13..<16)
  }

  @Test func prefixMatchStillSeesTheTextBeforeItsStart() throws {
    let word = try regex(#"\brefused by (?<host>\w+)"#)
    var bytes = Array("xrefused by db1; refused by db2".utf8)
    let (glued, separate) = bytes.withUnsafeMutableBufferPointer { buffer in
      let text = UnsafeBufferPointer(buffer)
      return (word.prefixMatch(in: text, at: 1), word.prefixMatch(in: text, at: 17))
    }
    #expect(glued == nil)  // `\b` sees the "x" before the start
    #expect(separate?.groups[0] == 28..<31)
  }
}

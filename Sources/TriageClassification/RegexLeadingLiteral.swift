/// The literal text every match of a regex starts with, read from the regex source.
///
/// When every match starts with a known literal that contains the pattern's anchor, a match
/// can only start a fixed distance before an anchor occurrence: the classifier then tries the
/// regex only there (ICU `lookingAt`) instead of searching the whole line. The reading is
/// conservative: anything it does not understand gives no leading literal, never a wrong one.
enum RegexLeadingLiteral {
  /// The leading literal of `regex` (ICU syntax), as written (not case-folded); nil when the
  /// regex may match without one. Skips leading inline flags (`(?i)`) and word boundaries
  /// (`\b`), which consume nothing; gives nil for a regex with a top-level alternation, `\Q`
  /// quoting or the free-spacing flag.
  /// - Complexity: O(regex).
  static func of(_ regex: String) -> [UInt8]? {
    let source = Array(regex.utf8)
    guard !hasTopLevelAlternation(source), !contains(source, Array("\\Q".utf8)) else { return nil }
    var index = 0
    // Leading flag groups and word boundaries.
    while index < source.count {
      if source[index] == UInt8(ascii: "("), index + 1 < source.count, source[index + 1] == UInt8(ascii: "?") {
        var end = index + 2
        while end < source.count, Array("imsuw".utf8).contains(source[end]) { end += 1 }
        guard end > index + 2, end < source.count, source[end] == UInt8(ascii: ")") else { break }
        index = end + 1
      } else if source[index] == UInt8(ascii: "\\"), index + 1 < source.count, source[index + 1] == UInt8(ascii: "b") {
        index += 2
      } else {
        break
      }
    }
    var literal: [UInt8] = []
    let special = Array("^$.|?*+()[]{}".utf8)
    while index < source.count {
      let byte = source[index]
      if byte == UInt8(ascii: "\\") {
        // An escaped punctuation byte is itself; `\d`, `\s`, `\b`, `\x41`… are not literals.
        guard index + 1 < source.count else { break }
        let escaped = source[index + 1]
        guard escaped < 0x80, !isAlphanumeric(escaped) else { break }
        literal.append(escaped)
        index += 2
      } else if special.contains(byte) || byte >= 0x80 {
        break
      } else {
        literal.append(byte)
        index += 1
      }
    }
    // A quantifier applies to the last byte only: that byte may be absent or repeated.
    if index < source.count, Array("?*+{".utf8).contains(source[index]), !literal.isEmpty { literal.removeLast() }
    return literal.isEmpty ? nil : literal
  }

  /// Where `anchor` (lower-cased) occurs in the leading literal of `regex`, ignoring ASCII
  /// case: every match then starts that many bytes before an occurrence of the anchor. Nil
  /// when it occurs there more than once (a match could start at either distance).
  static func anchorOffset(anchor: [UInt8], regex: String) -> Int? {
    guard let literal = of(regex), literal.count >= anchor.count, !anchor.isEmpty else { return nil }
    let folded = literal.map { $0 &- 0x41 < 26 ? $0 | 0x20 : $0 }
    let starts = (0...(folded.count - anchor.count)).filter { folded[$0..<$0 + anchor.count].elementsEqual(anchor) }
    return starts.count == 1 ? starts[0] : nil
  }

  /// Whether `|` occurs outside every group and bracket expression.
  static func hasTopLevelAlternation(_ source: [UInt8]) -> Bool {
    var depth = 0
    var index = 0
    while index < source.count {
      switch source[index] {
      case UInt8(ascii: "\\"):
        index += 1
      case UInt8(ascii: "["):
        // Skip the bracket expression: a `]` first (after an optional `^`) is literal.
        index += 1
        if index < source.count, source[index] == UInt8(ascii: "^") { index += 1 }
        if index < source.count, source[index] == UInt8(ascii: "]") { index += 1 }
        var nested = 0
        while index < source.count {
          let byte = source[index]
          if byte == UInt8(ascii: "\\") {
            index += 1
          } else if byte == UInt8(ascii: "[") {
            nested += 1
          } else if byte == UInt8(ascii: "]") {
            if nested == 0 { break }
            nested -= 1
          }
          index += 1
        }
      case UInt8(ascii: "("): depth += 1
      case UInt8(ascii: ")"): depth -= 1
      case UInt8(ascii: "|") where depth == 0: return true
      default: break
      }
      index += 1
    }
    return false
  }

  private static func isAlphanumeric(_ byte: UInt8) -> Bool {
    (byte | 0x20) &- 0x61 < 26 || byte &- 0x30 < 10
  }

  private static func contains(_ source: [UInt8], _ needle: [UInt8]) -> Bool {
    guard source.count >= needle.count else { return false }
    return (0...(source.count - needle.count)).contains { source[$0..<$0 + needle.count].elementsEqual(needle) }
  }
}

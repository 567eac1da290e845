import TriageInput

/// A value inside a JSON object, as borrowed bytes.
public struct JSONValue {
  public enum Kind: Sendable { case string, number, literal, object, array }

  public let kind: Kind
  /// For strings, the bytes between the quotes (still escaped when `hasEscapes`);
  /// otherwise the value's whole text.
  public let raw: UnsafeBufferPointer<UInt8>
  /// The string contains backslash escapes and must be unescaped before use.
  public let hasEscapes: Bool
}

/// Walks the members of one JSON object in a line without building any objects.
///
/// It is a validator-light scanner: it follows strings, escapes and nesting exactly, but does
/// not check number syntax or literal spelling. Nested objects and arrays are skipped
/// iteratively, so any nesting depth costs no stack. Malformed input makes it return false;
/// the caller then treats the line as plain text.
/// - Complexity: O(n) in the object's length, one pass.
public enum JSONObjectScanner {
  /// Calls `body` with each top-level member of the object that starts at `bytes[0]`.
  /// `body` returns false to stop early.
  /// - Returns: false when the bytes are not a well-formed object (as far as it read).
  @discardableResult
  public static func forEachMember(
    in bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>, JSONValue) -> Bool
  ) -> Bool {
    guard bytes.count >= 2, bytes[0] == UInt8(ascii: "{") else { return false }
    var index = bytes.skippingJSONWhitespace(from: 1)
    if index < bytes.count && bytes[index] == UInt8(ascii: "}") { return true }
    while index < bytes.count {
      guard bytes[index] == UInt8(ascii: "\""), let (keyEnd, _) = scanString(bytes, from: index + 1) else { return false }
      let key = bytes.slice(index + 1, keyEnd)
      index = bytes.skippingJSONWhitespace(from: keyEnd + 1)
      guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
      index = bytes.skippingJSONWhitespace(from: index + 1)
      guard index < bytes.count, let (value, next) = scanValue(bytes, from: index) else { return false }
      if !body(key, value) { return true }
      index = bytes.skippingJSONWhitespace(from: next)
      guard index < bytes.count else { return false }
      if bytes[index] == UInt8(ascii: "}") { return true }
      guard bytes[index] == UInt8(ascii: ",") else { return false }
      index = bytes.skippingJSONWhitespace(from: index + 1)
    }
    return false
  }

  /// Scans a string body starting after its opening quote.
  /// - Returns: the index of the closing quote and whether escapes occurred; nil when the
  ///   string is not closed.
  public static func scanStringBody(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (Int, Bool)? {
    scanString(bytes, from: start)
  }

  /// Scans a string body starting after its opening quote.
  /// - Returns: the index of the closing quote and whether escapes occurred.
  static func scanString(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (Int, Bool)? {
    // Strings in log lines are short: a plain byte loop beats two memchr calls.
    var index = start
    var escaped = false
    let count = bytes.count
    while index < count {
      let byte = bytes[index]
      if byte == 0x22 { return (index, escaped) }
      if byte == 0x5C {
        escaped = true
        index += 2
        continue
      }
      index += 1
    }
    return nil
  }

  static func scanValue(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (JSONValue, Int)? {
    switch bytes[start] {
    case UInt8(ascii: "\""):
      guard let (end, escaped) = scanString(bytes, from: start + 1) else { return nil }
      return (JSONValue(kind: .string, raw: bytes.slice(start + 1, end), hasEscapes: escaped), end + 1)
    case UInt8(ascii: "{"), UInt8(ascii: "["):
      guard let end = skipNested(bytes, from: start) else { return nil }
      let kind: JSONValue.Kind = bytes[start] == UInt8(ascii: "{") ? .object : .array
      return (JSONValue(kind: kind, raw: bytes.slice(start, end), hasEscapes: false), end)
    default:
      var end = start
      while end < bytes.count {
        let byte = bytes[end]
        if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") || byte == 0x20
          || byte == 0x09 || byte == 0x0A || byte == 0x0D
        { break }
        end += 1
      }
      guard end > start else { return nil }
      let first = bytes[start]
      let kind: JSONValue.Kind = (first == UInt8(ascii: "-") || first &- 0x30 < 10) ? .number : .literal
      return (JSONValue(kind: kind, raw: bytes.slice(start, end), hasEscapes: false), end)
    }
  }

  /// Skips a nested object or array; returns the index after its closing bracket.
  static func skipNested(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
    var depth = 0
    var index = start
    while index < bytes.count {
      switch bytes[index] {
      case UInt8(ascii: "\""):
        guard let (end, _) = scanString(bytes, from: index + 1) else { return nil }
        index = end
      case UInt8(ascii: "{"), UInt8(ascii: "["):
        depth += 1
      case UInt8(ascii: "}"), UInt8(ascii: "]"):
        depth -= 1
        if depth == 0 { return index + 1 }
      default:
        break
      }
      index += 1
    }
    return nil
  }

  /// Appends the unescaped form of a JSON string body to `output` (UTF-8). Invalid escapes
  /// are kept as they are; lone surrogates become U+FFFD.
  public static func unescape(_ raw: UnsafeBufferPointer<UInt8>, into output: ByteBuffer) {
    var index = 0
    var runStart = 0
    output.reserve(raw.count)
    while let backslash = raw.firstIndex(of: UInt8(ascii: "\\"), from: index) {
      output.append(raw.slice(runStart, backslash))
      guard backslash + 1 < raw.count else { runStart = backslash; index = raw.count; break }
      let code = raw[backslash + 1]
      index = backslash + 2
      switch code {
      case UInt8(ascii: "n"): output.append(0x0A)
      case UInt8(ascii: "t"): output.append(0x09)
      case UInt8(ascii: "r"): output.append(0x0D)
      case UInt8(ascii: "b"): output.append(0x08)
      case UInt8(ascii: "f"): output.append(0x0C)
      case UInt8(ascii: "u"):
        guard var scalar = hex4(raw, at: index) else { output.append(raw.slice(backslash, index)); break }
        index += 4
        if (0xD800..<0xDC00).contains(scalar) {
          if raw.matches("\\u", at: index), let low = hex4(raw, at: index + 2), (0xDC00..<0xE000).contains(low) {
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            index += 6
          } else {
            scalar = 0xFFFD
          }
        } else if (0xDC00..<0xE000).contains(scalar) {
          scalar = 0xFFFD
        }
        appendUTF8(scalar, to: output)
      default: output.append(code)  // \" \\ \/ and anything unknown
      }
      runStart = index
    }
    if runStart < raw.count { output.append(raw.slice(runStart, raw.count)) }
  }

  static func hex4(_ raw: UnsafeBufferPointer<UInt8>, at offset: Int) -> UInt32? {
    guard offset + 4 <= raw.count else { return nil }
    var value: UInt32 = 0
    for index in offset..<(offset + 4) {
      guard let digit = raw[index].hexDigitValue else { return nil }
      value = value << 4 | UInt32(digit)
    }
    return value
  }

  static func appendUTF8(_ scalar: UInt32, to output: ByteBuffer) {
    switch scalar {
    case 0..<0x80:
      output.append(UInt8(scalar))
    case 0x80..<0x800:
      output.append(UInt8(0xC0 | scalar >> 6)); output.append(UInt8(0x80 | scalar & 0x3F))
    case 0x800..<0x10000:
      output.append(UInt8(0xE0 | scalar >> 12)); output.append(UInt8(0x80 | scalar >> 6 & 0x3F))
      output.append(UInt8(0x80 | scalar & 0x3F))
    default:
      output.append(UInt8(0xF0 | scalar >> 18)); output.append(UInt8(0x80 | scalar >> 12 & 0x3F))
      output.append(UInt8(0x80 | scalar >> 6 & 0x3F)); output.append(UInt8(0x80 | scalar & 0x3F))
    }
  }
}

extension UnsafeBufferPointer where Element == UInt8 {
  /// The offset of the first byte that is not JSON whitespace, at or after `offset`.
  @inlinable
  public func skippingJSONWhitespace(from offset: Int) -> Int {
    var index = offset
    while index < count {
      let byte = self[index]
      guard byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D else { break }
      index += 1
    }
    return index
  }
}

import TriageInput

/// Appends log text to output buffers safely: JSON string escaping, and terminal-safe text.
/// Both repair invalid UTF-8 (U+FFFD), so output is always valid UTF-8.
public enum TextEncoding {
  private static let hex: [UInt8] = Array("0123456789abcdef".utf8)
  private static let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]

  /// ASCII bytes a JSON string cannot hold as they are: controls, `"` and `\`.
  private static let jsonSpecial: [Bool] = (0..<128).map { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }
  /// ASCII bytes a terminal must not receive: controls other than tab and line feed, and DEL.
  private static let terminalSpecial: [Bool] = (0..<128).map { ($0 < 0x20 && $0 != 0x09 && $0 != 0x0A) || $0 == 0x7F }

  /// Appends `bytes` as the inside of a JSON string (no quotes).
  /// - Complexity: O(n); runs that need no escaping are copied in bulk.
  public static func appendJSONString(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
    appendRewriting(bytes, to: &output, special: jsonSpecial, escapesC1: false) { byte, output in
      switch byte {
      case 0x22: output.append(contentsOf: [0x5C, 0x22])
      case 0x5C: output.append(contentsOf: [0x5C, 0x5C])
      case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
      case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
      case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
      default: output.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
      }
    }
  }

  /// Appends `"key":"value"` (with a leading comma unless `first`), the value escaped.
  public static func appendJSONMember(_ key: StaticString, _ value: String, to output: inout [UInt8], first: Bool = false) {
    if !first { output.append(0x2C) }
    output.append(0x22)
    output.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
    output.append(contentsOf: [0x22, 0x3A])
    appendJSONString(value, to: &output)
  }

  /// Appends a Swift string as a quoted JSON string.
  public static func appendJSONString(_ text: String, to output: inout [UInt8]) {
    output.append(0x22)
    var copy = text
    copy.withUTF8 { appendJSONString($0, to: &output) }
    output.append(0x22)
  }

  /// Appends `bytes` for a terminal or a plain-text file: line breaks and tabs stay, every
  /// other control byte (ESC, NUL, CR, BEL …) is shown as `\xNN` and C1 controls as `\u00NN`,
  /// so log text can never drive the terminal.
  public static func appendTerminalText(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
    appendRewriting(bytes, to: &output, special: terminalSpecial, escapesC1: true) { byte, output in
      output.append(contentsOf: [0x5C, UInt8(ascii: "x"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
    }
  }

  /// `text` made safe for a terminal (see ``appendTerminalText(_:to:)``): for reports built as
  /// strings from log text, span names and service names.
  public static func terminalText(_ text: String) -> [UInt8] {
    var output: [UInt8] = []
    var copy = text
    copy.withUTF8 { appendTerminalText($0, to: &output) }
    return output
  }

  /// Copies `bytes` to `output`, handing each ASCII byte marked in `special` to `rewrite`,
  /// replacing invalid UTF-8 with U+FFFD and, with `escapesC1`, writing U+0080…U+009F as
  /// `\u00NN`. Runs of ordinary bytes are copied in bulk.
  private static func appendRewriting(
    _ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8], special: [Bool], escapesC1: Bool,
    rewrite: (UInt8, inout [UInt8]) -> Void
  ) {
    var index = 0
    var runStart = 0
    let count = bytes.count
    while index < count {
      let byte = bytes[index]
      if byte < 0x80 {
        if !special[Int(byte)] { index += 1; continue }
        output.append(contentsOf: bytes[runStart..<index])
        rewrite(byte, &output)
        index += 1
      } else {
        let length = validUTF8Length(bytes, at: index)
        let isC1 = escapesC1 && length == 2 && byte == 0xC2 && bytes[index + 1] < 0xA0
        if length > 0 && !isC1 { index += length; continue }
        output.append(contentsOf: bytes[runStart..<index])
        if isC1 {
          output.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(bytes[index + 1] >> 4)], hex[Int(bytes[index + 1] & 0xF)]])
          index += 2
        } else {
          output.append(contentsOf: replacement)
          index += 1
        }
      }
      runStart = index
    }
    output.append(contentsOf: bytes[runStart..<count])
  }

  /// The length of the valid UTF-8 sequence starting at `index` (a lead byte ≥ 0x80), or 0.
  static func validUTF8Length(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
    let lead = bytes[index]
    let remaining = bytes.count - index
    @inline(__always) func continuation(_ offset: Int) -> Bool { bytes[index + offset] & 0xC0 == 0x80 }
    switch lead {
    case 0xC2...0xDF:
      return remaining >= 2 && continuation(1) ? 2 : 0
    case 0xE0...0xEF:
      guard remaining >= 3, continuation(1), continuation(2) else { return 0 }
      let second = bytes[index + 1]
      if lead == 0xE0 && second < 0xA0 { return 0 }  // overlong
      if lead == 0xED && second >= 0xA0 { return 0 }  // surrogates
      return 3
    case 0xF0...0xF4:
      guard remaining >= 4, continuation(1), continuation(2), continuation(3) else { return 0 }
      let second = bytes[index + 1]
      if lead == 0xF0 && second < 0x90 { return 0 }
      if lead == 0xF4 && second >= 0x90 { return 0 }
      return 4
    default:
      return 0
    }
  }
}

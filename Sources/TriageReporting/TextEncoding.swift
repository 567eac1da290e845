import TriageInput

/// Appends log text to output buffers safely: JSON string escaping, and terminal-safe text.
/// Both repair invalid UTF-8 (U+FFFD), so output is always valid UTF-8.
public enum TextEncoding {
  private static let hex: [UInt8] = Array("0123456789abcdef".utf8)
  private static let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]

  /// Appends `bytes` as the inside of a JSON string (no quotes).
  /// - Complexity: O(n); ASCII runs are copied in bulk.
  public static func appendJSONString(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
    var index = 0
    var runStart = 0
    let count = bytes.count
    while index < count {
      let byte = bytes[index]
      if byte >= 0x20 && byte < 0x80 && byte != 0x22 && byte != 0x5C {
        index += 1
        continue
      }
      if byte >= 0x80 {
        let length = validUTF8Length(bytes, at: index)
        if length > 0 { index += length; continue }
        output.append(contentsOf: bytes[runStart..<index])
        output.append(contentsOf: replacement)
        index += 1
        runStart = index
        continue
      }
      output.append(contentsOf: bytes[runStart..<index])
      switch byte {
      case 0x22: output.append(0x5C); output.append(0x22)
      case 0x5C: output.append(0x5C); output.append(0x5C)
      case 0x0A: output.append(0x5C); output.append(UInt8(ascii: "n"))
      case 0x0D: output.append(0x5C); output.append(UInt8(ascii: "r"))
      case 0x09: output.append(0x5C); output.append(UInt8(ascii: "t"))
      default:
        output.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
      }
      index += 1
      runStart = index
    }
    output.append(contentsOf: bytes[runStart..<count])
  }

  /// Appends a Swift string as a quoted JSON string.
  public static func appendJSONString(_ text: String, to output: inout [UInt8]) {
    output.append(0x22)
    var copy = text
    copy.withUTF8 { appendJSONString($0, to: &output) }
    output.append(0x22)
  }

  /// Appends `bytes` for a terminal or a plain-text file: line breaks and tabs stay, every
  /// other control byte (ESC, NUL, CR, BEL …) is shown as `\xNN`, so log text can never
  /// drive the terminal.
  public static func appendTerminalText(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
    var index = 0
    var runStart = 0
    while index < bytes.count {
      let byte = bytes[index]
      if byte >= 0x20 && byte != 0x7F && byte < 0x80 || byte == 0x0A || byte == 0x09 {
        index += 1
        continue
      }
      if byte >= 0x80 {
        let length = validUTF8Length(bytes, at: index)
        // C1 controls (U+0080…U+009F) are terminal controls too.
        if length == 2 && bytes[index] == 0xC2 && bytes[index + 1] < 0xA0 {
          output.append(contentsOf: bytes[runStart..<index])
          output.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(bytes[index + 1] >> 4)], hex[Int(bytes[index + 1] & 0xF)]])
          index += 2
          runStart = index
          continue
        }
        if length > 0 { index += length; continue }
        output.append(contentsOf: bytes[runStart..<index])
        output.append(contentsOf: replacement)
        index += 1
        runStart = index
        continue
      }
      output.append(contentsOf: bytes[runStart..<index])
      output.append(contentsOf: [0x5C, UInt8(ascii: "x"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
      index += 1
      runStart = index
    }
    output.append(contentsOf: bytes[runStart..<bytes.count])
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

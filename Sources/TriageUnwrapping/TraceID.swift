import TriageInput

/// A trace id normalised to 128 bits: 64-bit ids are left-padded with zeros, hex is lowercase
/// on output. `lowerHalf` is the join key that also matches systems that keep only 64 bits
/// (B3, Jaeger, Datadog). See shared/reference/trace-formats.md §5.3.
public struct TraceID: Sendable, Hashable, CustomStringConvertible {
  public var upperHalf: UInt64
  public var lowerHalf: UInt64

  public init(upperHalf: UInt64, lowerHalf: UInt64) {
    self.upperHalf = upperHalf
    self.lowerHalf = lowerHalf
  }

  /// Whether two ids name one trace: the same lower 64 bits, and the same upper ones unless
  /// either id has none (a 64-bit id from B3, Jaeger or Datadog).
  public func matches(_ other: TraceID) -> Bool {
    lowerHalf == other.lowerHalf && (upperHalf == other.upperHalf || upperHalf == 0 || other.upperHalf == 0)
  }

  /// Parses 1…32 hex digits (either case); shorter ids are left-padded. Rejects an all-zero id
  /// and anything that is not hex.
  /// - Complexity: O(n), a table lookup per digit (this runs for every JSON log line that
  ///   carries an id).
  public init?(hex: UnsafeBufferPointer<UInt8>) {
    let count = hex.count
    guard count >= 1, count <= 32 else { return nil }
    let split = max(count - 16, 0)
    guard let upper = Self.hexValue(hex, 0, split), let lower = Self.hexValue(hex, split, count), upper != 0 || lower != 0 else {
      return nil
    }
    self.init(upperHalf: upper, lowerHalf: lower)
  }

  /// The value of the hex digits in `from..<to` (at most 16); nil when one is not hex.
  @inline(__always)
  static func hexValue(_ hex: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> UInt64? {
    var value: UInt64 = 0
    var invalid: UInt8 = 0
    var index = from
    while index < to {
      let digit = HexDigits.values[Int(hex[index])]
      invalid |= digit
      value = value << 4 | UInt64(digit & 0x0F)
      index += 1
    }
    return invalid & 0x80 == 0 ? value : nil
  }

  /// Parses a decimal 64-bit id (Datadog's `dd.trace_id`).
  public init?(decimal: UnsafeBufferPointer<UInt8>) {
    guard decimal.count >= 1, decimal.count <= 20 else { return nil }
    var value: UInt64 = 0
    for byte in decimal {
      guard byte &- 0x30 < 10 else { return nil }
      let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
      let (sum, overflow2) = times.addingReportingOverflow(UInt64(byte - 0x30))
      guard !overflow1 && !overflow2 else { return nil }
      value = sum
    }
    guard value != 0 else { return nil }
    self.init(upperHalf: 0, lowerHalf: value)
  }

  /// Parses a base64 id (standard or URL alphabet, padded or not) of 16 bytes (a trace id)
  /// or 8 bytes (a 64-bit one), as generic protobuf JSON marshalers write them (Tempo, Jaeger's
  /// proto JSON). Rejects other lengths and an all-zero id.
  public init?(base64: UnsafeBufferPointer<UInt8>) {
    guard let bytes = Base64.decode(base64), bytes.count == 16 || bytes.count == 8 else { return nil }
    var upper: UInt64 = 0
    var lower: UInt64 = 0
    for byte in bytes {
      upper = upper << 8 | lower >> 56
      lower = lower << 8 | UInt64(byte)
    }
    guard upper != 0 || lower != 0 else { return nil }
    self.init(upperHalf: upper, lowerHalf: lower)
  }

  /// Parses an id as span dumps write it: hex (any case, leading zeros possibly dropped) or,
  /// when that fails, base64.
  public init?(idText: UnsafeBufferPointer<UInt8>) {
    if let hex = TraceID(hex: idText) {
      self = hex
    } else if let decoded = TraceID(base64: idText) {
      self = decoded
    } else {
      return nil
    }
  }

  /// Appends the 32 lowercase hex digits to a byte buffer.
  public func appendHex(to output: inout [UInt8]) {
    for half in [upperHalf, lowerHalf] {
      for index in 0..<16 {
        let nibble = UInt8(half >> UInt64(60 - index * 4) & 0xF)
        output.append(nibble < 10 ? 0x30 + nibble : 0x57 + nibble)
      }
    }
  }

  /// 32 lowercase hex digits.
  public var description: String {
    let digits: [UInt8] = Array("0123456789abcdef".utf8)
    var text = [UInt8](repeating: 0, count: 32)
    for index in 0..<16 {
      text[index] = digits[Int(upperHalf >> UInt64(60 - index * 4) & 0xF)]
      text[index + 16] = digits[Int(lowerHalf >> UInt64(60 - index * 4) & 0xF)]
    }
    return String(decoding: text, as: UTF8.self)
  }
}

/// Hex digit values by byte: 0…15, or 0x80 for a byte that is not a hex digit.
enum HexDigits {
  static let values: [UInt8] = (0..<256).map { byte -> UInt8 in
    switch byte {
    case 0x30...0x39: UInt8(byte - 0x30)
    case 0x61...0x66: UInt8(byte - 0x57)
    case 0x41...0x46: UInt8(byte - 0x37)
    default: 0x80
    }
  }
}

/// Base64 as protobuf JSON writes bytes: standard or URL-safe alphabet, with or without padding.
public enum Base64 {
  /// The decoded bytes, or nil when a character is outside both alphabets or the length is
  /// impossible.
  /// - Complexity: O(n).
  public static func decode(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
    var end = text.count
    while end > 0 && text[end - 1] == UInt8(ascii: "=") { end -= 1 }
    guard end % 4 != 1 else { return nil }
    var output: [UInt8] = []
    output.reserveCapacity(end * 3 / 4)
    var accumulator: UInt32 = 0
    var bits = 0
    for index in 0..<end {
      let byte = text[index]
      let value: UInt32
      switch byte {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(byte - UInt8(ascii: "A"))
      case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(byte - UInt8(ascii: "a")) + 26
      case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(byte - UInt8(ascii: "0")) + 52
      case UInt8(ascii: "+"), UInt8(ascii: "-"): value = 62
      case UInt8(ascii: "/"), UInt8(ascii: "_"): value = 63
      default: return nil
      }
      accumulator = accumulator << 6 | value
      bits += 6
      if bits >= 8 {
        bits -= 8
        output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
      }
    }
    return output
  }
}

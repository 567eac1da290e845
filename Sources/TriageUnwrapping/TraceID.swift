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

  /// Parses 1…32 hex digits (either case); shorter ids are left-padded. Rejects an all-zero id
  /// and anything that is not hex.
  public init?(hex: UnsafeBufferPointer<UInt8>) {
    guard hex.count >= 1, hex.count <= 32 else { return nil }
    var upper: UInt64 = 0
    var lower: UInt64 = 0
    for byte in hex {
      let value: UInt8
      switch byte {
      case 0x30...0x39: value = byte &- 0x30
      case 0x61...0x66: value = byte &- 0x57
      case 0x41...0x46: value = byte &- 0x37
      default: return nil
      }
      upper = upper << 4 | lower >> 60
      lower = lower << 4 | UInt64(value)
    }
    guard upper != 0 || lower != 0 else { return nil }
    self.init(upperHalf: upper, lowerHalf: lower)
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

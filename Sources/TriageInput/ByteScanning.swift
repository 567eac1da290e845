import CTriageZlib

/// Byte-level helpers shared by every stage that looks inside lines.
///
/// All of them work on borrowed bytes and never build a `String`; literals are `StaticString`
/// so their bytes need no allocation. Offsets are plain `Int` indices into the buffer.
extension UnsafeBufferPointer where Element == UInt8 {
  /// Whether the bytes at `offset` equal `literal` (case-sensitive).
  @inlinable
  public func matches(_ literal: StaticString, at offset: Int) -> Bool {
    let length = literal.utf8CodeUnitCount
    guard offset >= 0, offset + length <= count else { return false }
    return memcmp(baseAddress! + offset, literal.utf8Start, length) == 0
  }

  /// Whether the bytes start with `literal`.
  @inlinable
  public func hasPrefix(_ literal: StaticString) -> Bool { matches(literal, at: 0) }

  /// Whether the bytes end with `literal`.
  @inlinable
  public func hasSuffix(_ literal: StaticString) -> Bool {
    matches(literal, at: count - literal.utf8CodeUnitCount)
  }

  /// The offset of the first `byte` at or after `offset`, found with `memchr`.
  @inlinable
  public func firstIndex(of byte: UInt8, from offset: Int = 0) -> Int? {
    guard offset < count, let base = baseAddress else { return nil }
    guard let hit = memchr(base + offset, Int32(byte), count - offset) else { return nil }
    return UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base
  }

  /// The bytes before the first newline, at most `limit` of them.
  /// - Complexity: O(min(count, limit)): only the first `limit` bytes are looked at (`memchr`).
  @inlinable
  public func firstLine(atMost limit: Int) -> UnsafeBufferPointer<UInt8> {
    let head = UnsafeBufferPointer(rebasing: self[..<Swift.min(count, limit)])
    return UnsafeBufferPointer(rebasing: head[..<(head.firstIndex(of: 0x0A) ?? head.count)])
  }

  /// The offset of the first occurrence of `literal` at or after `offset` (glibc `memmem`).
  public func firstIndex(of literal: StaticString, from offset: Int = 0) -> Int? {
    guard offset < count, let base = baseAddress else { return nil }
    guard let hit = triage_memmem(base + offset, count - offset, literal.utf8Start, literal.utf8CodeUnitCount) else {
      return nil
    }
    return hit.assumingMemoryBound(to: UInt8.self) - base
  }

  /// The offset of the first occurrence of `needle` (glibc `memmem`).
  public func firstIndex(of needle: UnsafeBufferPointer<UInt8>) -> Int? {
    guard let base = baseAddress, let needleBase = needle.baseAddress, needle.count <= count else { return nil }
    guard let hit = triage_memmem(base, count, needleBase, needle.count) else { return nil }
    return hit.assumingMemoryBound(to: UInt8.self) - base
  }

  /// Whether `literal` occurs anywhere in the bytes.
  public func contains(_ literal: StaticString) -> Bool { firstIndex(of: literal) != nil }

  /// The offset of the first byte that is not a space or tab, at or after `offset`.
  @inlinable
  public func skippingBlanks(from offset: Int = 0) -> Int {
    var index = offset
    while index < count && (self[index] == 0x20 || self[index] == 0x09) { index += 1 }
    return index
  }

  /// Whether the bytes are empty or only spaces and tabs.
  @inlinable
  public var isBlank: Bool { skippingBlanks() == count }

  /// The bytes in `from..<to` as their own buffer (no copy).
  @inlinable
  public func slice(_ from: Int, _ to: Int) -> UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(start: baseAddress.map { $0 + from }, count: to - from)
  }

  /// The bytes from `from` to the end (no copy).
  @inlinable
  public func suffix(from offset: Int) -> UnsafeBufferPointer<UInt8> { slice(offset, count) }

  /// Whether the byte at `offset` is an ASCII digit.
  @inlinable
  public func isDigit(at offset: Int) -> Bool {
    offset >= 0 && offset < count && self[offset] &- 0x30 < 10
  }

  /// Reads `length` ASCII digits at `offset` as a number, or nil if any is not a digit or
  /// there are more than 18 of them (so the value never overflows).
  @inlinable
  public func digits(at offset: Int, length: Int) -> Int? {
    guard offset >= 0, length <= 18, offset + length <= count else { return nil }
    var value = 0
    for index in offset..<(offset + length) {
      let digit = self[index] &- 0x30
      guard digit < 10 else { return nil }
      value = value * 10 + Int(digit)
    }
    return value
  }

  /// The bytes decoded as UTF-8, invalid sequences replaced by U+FFFD (never fails).
  public var string: String { String(decoding: self, as: UTF8.self) }
}

extension UInt8 {
  /// ASCII letter, digit or underscore.
  @inlinable public var isWordByte: Bool {
    (self | 0x20) &- 0x61 < 26 || self &- 0x30 < 10 || self == 0x5F
  }
  /// ASCII uppercase letter.
  @inlinable public var isUppercaseLetter: Bool { self &- 0x41 < 26 }
  /// ASCII lowercase letter.
  @inlinable public var isLowercaseLetter: Bool { self &- 0x61 < 26 }
  /// ASCII hexadecimal digit (either case).
  @inlinable public var isHexDigit: Bool { self &- 0x30 < 10 || (self | 0x20) &- 0x61 < 6 }
  /// The value of an ASCII hexadecimal digit (either case), or nil.
  @inlinable public var hexDigitValue: UInt8? {
    if self &- 0x30 < 10 { return self &- 0x30 }
    let lower = self | 0x20
    return lower &- 0x61 < 6 ? lower &- 0x61 + 10 : nil
  }
}

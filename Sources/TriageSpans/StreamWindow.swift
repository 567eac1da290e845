import TriageInput

/// A cursor over a byte stream that keeps only the bytes from a mark onwards.
///
/// The dump walker marks the start of each unit (``discardConsumed()``); bytes before the
/// mark are dropped the next time the buffer needs room, so memory follows the largest unit,
/// not the stream. Positions are offsets into the buffer and move when it is compacted;
/// ``position`` and ``mark`` are kept right by the window itself.
final class StreamWindow {
  private let stream: ByteStream
  private var storage: UnsafeMutablePointer<UInt8>
  private var capacity: Int
  /// The cursor (an offset into the buffer).
  var position = 0
  /// Bytes before this offset may be dropped.
  private(set) var mark = 0
  private var filled = 0
  /// Stream offset of the buffer's first byte.
  private var dropped = 0
  private var atEnd = false
  private(set) var bytesRead = 0
  private(set) var lineBreaks = 0
  private(set) var endsWithoutLineBreak = false

  init(stream: ByteStream, capacity: Int = 1 << 20) {
    self.stream = stream
    self.capacity = capacity
    storage = .allocate(capacity: capacity)
  }

  deinit { storage.deallocate() }

  /// The stream offset of the cursor (for messages).
  var absoluteOffset: Int { dropped + position }

  /// Lets bytes before the cursor go.
  func discardConsumed() { mark = position }

  /// The bytes between two buffer offsets; valid until the next read.
  func bytes(from start: Int, to end: Int) -> UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(start: storage + start, count: end - start)
  }

  /// Reads more bytes, first dropping those before the mark when the buffer is full, or
  /// growing it when the mark is at its start.
  /// - Returns: how far offsets moved down (subtract it from offsets you hold), or nil at
  ///   the end of the stream.
  private func fill() throws(WalkError) -> Int? {
    guard !atEnd else { return nil }
    var shift = 0
    if filled == capacity {
      if mark > 0 {
        shift = mark
        (storage).update(from: storage + mark, count: filled - mark)
        filled -= mark
        position -= mark
        dropped += mark
        mark = 0
      } else {
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
        grown.update(from: storage, count: filled)
        storage.deallocate()
        storage = grown
        capacity *= 2
      }
    }
    let count: Int
    do {
      count = try stream.read(into: UnsafeMutableRawBufferPointer(start: storage + filled, count: capacity - filled))
    } catch {
      throw .input(error)
    }
    if count == 0 {
      atEnd = true
      return nil
    }
    let fresh = UnsafeBufferPointer(start: storage + filled, count: count)
    var offset = 0
    while let found = fresh.firstIndex(of: 0x0A, from: offset) {
      lineBreaks += 1
      offset = found + 1
    }
    endsWithoutLineBreak = fresh[count - 1] != 0x0A
    bytesRead += count
    filled += count
    return shift
  }

  /// The byte at the cursor, or nil at the end of the stream.
  func current() throws(WalkError) -> UInt8? {
    while position >= filled {
      guard try fill() != nil else { return nil }
    }
    return storage[position]
  }

  /// Moves past the byte at the cursor.
  func advance() throws(WalkError) {
    guard try current() != nil else { throw .syntax(DumpSyntax(reason: "the JSON ends early")) }
    position += 1
  }

  func skipWhitespace() throws(WalkError) {
    while let byte = try current(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
      position += 1
    }
  }

  /// Moves past `byte`, or throws when another byte is at the cursor.
  func expect(_ byte: UInt8) throws(WalkError) {
    guard let found = try current() else { throw .syntax(DumpSyntax(reason: "the JSON ends early")) }
    guard found == byte else {
      throw .syntax(DumpSyntax(reason: "expected '\(Character(Unicode.Scalar(byte)))', found '\(Character(Unicode.Scalar(found)))'"))
    }
    position += 1
  }

  /// Reads the string at the cursor (escapes kept) and moves past it.
  func readString() throws(WalkError) -> [UInt8]? {
    let before = absoluteOffset
    guard try scanValue(maximumLength: 1 << 20) else { return nil }
    // The buffer may have moved while scanning: the string is the last `length` bytes read.
    let length = absoluteOffset - before
    return Array(UnsafeBufferPointer(start: storage + position - length + 1, count: max(length - 2, 0)))
  }

  /// Moves the cursor past the JSON value at it (an object, array, string or scalar),
  /// following strings and escapes.
  /// - Returns: false when the stream ends inside the value (the cursor is then at the end).
  /// - Throws: when the value is longer than `maximumLength`.
  func scanValue(maximumLength: Int) throws(WalkError) -> Bool {
    guard let first = try current() else { return false }
    var index = position
    var depth = 0
    var inString = false
    let isScalar = first != UInt8(ascii: "{") && first != UInt8(ascii: "[") && first != UInt8(ascii: "\"")
    while true {
      while index < filled {
        let byte = storage[index]
        if inString {
          if byte == 0x5C {
            index += 2
            continue
          }
          if byte == 0x22 {
            inString = false
            if depth == 0 {
              position = index + 1
              return true
            }
          }
          index += 1
          continue
        }
        if isScalar {
          if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") || byte <= 0x20 {
            // A scalar of no bytes (a stray bracket or control byte) is no value.
            guard index > position else { throw .syntax(DumpSyntax(reason: "expected a value")) }
            position = index
            return true
          }
          index += 1
          continue
        }
        switch byte {
        case 0x22: inString = true
        case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
          depth -= 1
          if depth == 0 {
            position = index + 1
            return true
          }
        default: break
        }
        index += 1
      }
      guard index - position <= maximumLength else {
        throw .syntax(DumpSyntax(reason: "a single JSON value is larger than \(maximumLength) bytes"))
      }
      // The value's bytes stay: the cursor (its start) is at or after the mark.
      guard let shift = try fill() else {
        // The stream ended inside the value: nothing after it can be read.
        position = filled
        return isScalar
      }
      index -= shift
    }
  }

  /// Moves past the next line break, letting the skipped bytes go; false at the end of the
  /// stream.
  func skipPastLineBreak() throws(WalkError) -> Bool {
    while let byte = try current() {
      position += 1
      mark = position
      if byte == 0x0A { return true }
    }
    return false
  }
}

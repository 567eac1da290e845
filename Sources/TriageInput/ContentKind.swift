/// What the first bytes of a stream say it holds.
public enum ContentKind: Equatable, Sendable {
  case text
  case gzip
  case tar
  /// Some other compression format triage does not read (named).
  case unsupportedCompression(String)
  /// Not text (the reason says why: a known file type or too many control bytes).
  case binary(String)

  /// How many leading bytes ``classify(prefix:)`` looks at.
  public static let sampleSize = 8192

  /// Whether `prefix` is enough to classify: only a tar header needs 263 bytes, and a tar
  /// header has NUL padding in its 100-byte name field; anything else is decided at once.
  public static func isDecided(by prefix: UnsafeRawBufferPointer) -> Bool {
    if prefix.count >= 263 { return true }
    if prefix.count >= 2 && prefix[0] == 0x1f && prefix[1] == 0x8b { return true }
    return !prefix.prefix(100).contains(0)
  }

  /// Classifies a stream by its first bytes (never by its name).
  ///
  /// Text is anything that is not a known binary or compressed format and whose sample has at
  /// most 10% control bytes other than tab, line breaks, form feed and ESC (NUL counts as a
  /// control byte, but a sample made only of NULs is text: log files that were truncated while
  /// being written often start with a run of NULs). Invalid UTF-8 is still text (Latin-1 and
  /// GBK logs exist), unless more than 3% of the sample are control bytes as well and the two
  /// together pass 30%: that is random or compressed data (an unknown archive, a core dump).
  /// - Complexity: O(`min(prefix.count, sampleSize)`).
  public static func classify(prefix: [UInt8]) -> ContentKind {
    func starts(with magic: [UInt8]) -> Bool { prefix.starts(with: magic) }
    if starts(with: [0x1f, 0x8b]) { return .gzip }
    if prefix.count >= 263, prefix[257..<262].elementsEqual(Array("ustar".utf8)) { return .tar }
    if starts(with: Array("BZh".utf8)) && prefix.count > 3 && (0x31...0x39).contains(prefix[3]) {
      return .unsupportedCompression("bzip2")
    }
    if starts(with: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) { return .unsupportedCompression("xz") }
    if starts(with: [0x28, 0xb5, 0x2f, 0xfd]) { return .unsupportedCompression("zstd") }
    if starts(with: [0x50, 0x4b, 0x03, 0x04]) { return .unsupportedCompression("zip") }
    if starts(with: [0x7f, 0x45, 0x4c, 0x46]) { return .binary("an ELF executable") }
    if starts(with: [0x89, 0x50, 0x4e, 0x47]) { return .binary("a PNG image") }
    if starts(with: Array("%PDF".utf8)) { return .binary("a PDF document") }
    if starts(with: Array("SQLite format 3".utf8)) { return .binary("an SQLite database") }

    let sample = prefix.prefix(sampleSize)
    var control = 0
    var nul = 0
    for byte in sample where byte < 0x20 || byte == 0x7f {
      switch byte {
      case 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1b: continue
      case 0x00: nul += 1; control += 1
      default: control += 1
      }
    }
    if nul == sample.count { return .text }
    if control * 10 > sample.count {
      return .binary("\(control * 100 / max(sample.count, 1))% of its first \(sample.count) bytes are control bytes")
    }
    if control * 100 > sample.count * 3 {
      let odd = control + invalidUTF8Sequences(in: sample)
      if odd * 10 > sample.count * 3 {
        return .binary("\(odd * 100 / max(sample.count, 1))% of its first \(sample.count) bytes are control bytes or not UTF-8")
      }
    }
    return .text
  }

  /// How many ill-formed sequences a UTF-8 decoder meets in `bytes` (each is one or more bytes).
  static func invalidUTF8Sequences(in bytes: ArraySlice<UInt8>) -> Int {
    var iterator = bytes.makeIterator()
    var decoder = UTF8()
    var errors = 0
    while true {
      switch decoder.decode(&iterator) {
      case .scalarValue: continue
      case .error: errors += 1
      case .emptyInput: return errors
      }
    }
  }
}

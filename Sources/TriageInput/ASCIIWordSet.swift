/// A few lowercase ASCII words looked for together in bytes, ignoring ASCII case, in one pass.
///
/// A table of the bytes that can start a word (in either case) lets the pass step over every
/// other byte with one lookup; only where a word can start are its bytes compared.
/// - Complexity: building, O(256 + total word length); a search, O(n) lookups plus a
///   comparison at each byte that starts a word.
public struct ASCIIWordSet: Sendable {
  /// The words, lowercase (at most 64).
  public let words: [[UInt8]]
  /// Per byte value: the words that start with it, as bits (bit i = word i).
  private let startingWith: [UInt64]

  /// - Precondition: at most 64 words, each non-empty lowercase ASCII.
  public init(_ words: [String]) {
    precondition(words.count <= 64, "ASCIIWordSet holds at most 64 words")
    self.words = words.map { Array($0.utf8) }
    var table = [UInt64](repeating: 0, count: 256)
    for (index, word) in self.words.enumerated() {
      precondition(!word.isEmpty && word.allSatisfy { $0 < 0x80 && ($0 &- 0x41 >= 26) }, "words are non-empty lowercase ASCII")
      let first = word[0]
      table[Int(first)] |= 1 << index
      if first &- 0x61 < 26 { table[Int(first - 0x20)] |= 1 << index }
    }
    startingWith = table
  }

  /// The words that occur in `text`: bit i is set when word i does.
  /// With `stoppingAtFirst`, the search ends at the first word found (one bit set).
  public func occurring(in text: UnsafeBufferPointer<UInt8>, stoppingAtFirst: Bool = false) -> UInt64 {
    var found: UInt64 = 0
    startingWith.withUnsafeBufferPointer { table in
      for index in text.indices {
        var candidates = table[Int(text[index])] & ~found
        while candidates != 0 {
          let word = candidates.trailingZeroBitCount
          candidates &= candidates - 1
          if Self.matches(words[word], in: text, at: index) {
            found |= 1 << word
            if stoppingAtFirst { return }
          }
        }
      }
    }
    return found
  }

  /// Whether any of the words occurs in `text`.
  public func anyOccurs(in text: UnsafeBufferPointer<UInt8>) -> Bool { occurring(in: text, stoppingAtFirst: true) != 0 }

  /// Whether `word` (lowercase) is at `offset` in `text`, ignoring ASCII case.
  private static func matches(_ word: [UInt8], in text: UnsafeBufferPointer<UInt8>, at offset: Int) -> Bool {
    guard offset + word.count <= text.count else { return false }
    for position in 1..<word.count {
      let byte = text[offset + position]
      if (byte &- 0x41 < 26 ? byte | 0x20 : byte) != word[position] { return false }
    }
    return true
  }
}

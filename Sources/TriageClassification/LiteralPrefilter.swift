import TriageInput

/// Finds which of many literals occur in a text, in one pass, ignoring ASCII case.
///
/// Wu–Manber: a window as long as the shortest literal (`m`) slides over the text; the last
/// two bytes of the window index a shift table that says how far the window may jump without
/// skipping a possible match. Only where the shift is 0 are the literals ending in those two
/// bytes compared. On ordinary log text most windows jump several bytes, so the cost grows
/// with the text, not with the number of literals. It may report nothing it should not (every
/// reported literal was compared in full), and it never misses a literal.
///
/// - Complexity: O(n) per text with a small constant (sublinear on average); memory is a
///   64 Ki-entry shift table and the literals.
public struct LiteralPrefilter: Sendable {
  /// ASCII lower-casing table.
  static let fold: [UInt8] = (0..<256).map { UInt8($0) &- 0x41 < 26 ? UInt8($0) | 0x20 : UInt8($0) }

  private let literals: [[UInt8]]
  private let windowLength: Int
  private let shifts: [UInt8]
  private let bucketStarts: [UInt32]
  private let bucketLiterals: [UInt32]

  /// The number of literals.
  public var count: Int { literals.count }

  /// - Parameter literals: texts of at least 2 bytes; compared without ASCII case.
  public init(literals: [String]) {
    let folded = literals.map { Array($0.utf8).map { Self.fold[Int($0)] } }
    self.literals = folded
    let shortest = max(2, folded.map(\.count).min() ?? 2)
    let m = min(shortest, 16)
    windowLength = m
    var shifts = [UInt8](repeating: UInt8(m - 1), count: 65536)
    var buckets = [[UInt32]](repeating: [], count: 0)
    var bucketOf: [Int: Int] = [:]
    for (index, literal) in folded.enumerated() {
      // Bigrams of the literal's first m bytes: ending at position q (1…m-1).
      for q in 1..<m {
        let key = Int(literal[q - 1]) << 8 | Int(literal[q])
        shifts[key] = min(shifts[key], UInt8(m - 1 - q))
      }
      let key = Int(literal[m - 2]) << 8 | Int(literal[m - 1])
      if let bucket = bucketOf[key] {
        buckets[bucket].append(UInt32(index))
      } else {
        bucketOf[key] = buckets.count
        buckets.append([UInt32(index)])
      }
    }
    var starts = [UInt32](repeating: 0, count: 65537)
    var flat: [UInt32] = []
    for key in 0..<65536 {
      starts[key] = UInt32(flat.count)
      if let bucket = bucketOf[key] { flat += buckets[bucket] }
    }
    starts[65536] = UInt32(flat.count)
    self.shifts = shifts
    self.bucketStarts = starts
    self.bucketLiterals = flat
  }

  /// Calls `found` with the index of each literal that occurs in `text` (possibly more than
  /// once per literal).
  public func scan(_ text: UnsafeBufferPointer<UInt8>, _ found: (Int) -> Void) {
    let m = windowLength
    let count = text.count
    guard count >= m, !literals.isEmpty else { return }
    Self.fold.withUnsafeBufferPointer { fold in
      shifts.withUnsafeBufferPointer { shifts in
        var end = m - 1  // the window's last byte
        while end < count {
          let key = Int(fold[Int(text[end - 1])]) << 8 | Int(fold[Int(text[end])])
          let shift = Int(shifts[key])
          if shift != 0 {
            end += shift
            continue
          }
          let start = end - m + 1
          for slot in Int(bucketStarts[key])..<Int(bucketStarts[key + 1]) {
            let index = Int(bucketLiterals[slot])
            let literal = literals[index]
            guard start + literal.count <= count else { continue }
            var equal = true
            for offset in 0..<literal.count where fold[Int(text[start + offset])] != literal[offset] {
              equal = false
              break
            }
            if equal { found(index) }
          }
          end += 1
        }
      }
    }
  }

  /// Whether `literal`'s index is in `text` (a single literal, for per-line checks).
  public func contains(_ index: Int, in text: UnsafeBufferPointer<UInt8>) -> Bool {
    let literal = literals[index]
    guard text.count >= literal.count else { return false }
    let fold = Self.fold
    outer: for start in 0...(text.count - literal.count) {
      for offset in 0..<literal.count where fold[Int(text[start + offset])] != literal[offset] { continue outer }
      return true
    }
    return false
  }
}

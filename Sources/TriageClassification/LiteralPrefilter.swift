import TriageInput

/// Finds which of many literals occur in a text, in one pass, ignoring ASCII case.
///
/// Wu–Manber with 3-byte blocks: a window as long as the shortest literal (`m`, at most 16)
/// slides over the text; a hash of the window's last three bytes indexes a shift table that
/// says how far the window may jump without skipping a possible match. Only where the shift is
/// 0 are the literals ending in that block compared, in full. On ordinary log text most windows
/// jump many bytes, so the cost grows with the text, hardly with the number of literals. It
/// reports nothing it should not (every reported literal was compared in full), and it never
/// misses a literal.
///
/// The tables live in raw buffers so the scan loop does no reference counting.
/// - Complexity: O(n) per text with a small constant (sublinear on average); memory is a
///   64 Ki-entry shift table, bucket lists and the literals.
public final class LiteralPrefilter: @unchecked Sendable {
  /// ASCII lower-casing table.
  private let fold: UnsafeMutableBufferPointer<UInt8>
  private let shifts: UnsafeMutableBufferPointer<UInt8>
  private let bucketStarts: UnsafeMutableBufferPointer<UInt32>
  private let bucketLiterals: UnsafeMutableBufferPointer<UInt32>
  /// Folded literal bytes, back to back, with their offsets.
  private let literalBytes: UnsafeMutableBufferPointer<UInt8>
  private let literalStarts: UnsafeMutableBufferPointer<Int>
  private let windowLength: Int

  /// The number of literals.
  public let count: Int

  /// - Parameter literals: texts of at least 3 bytes; compared without ASCII case.
  public init(literals: [String]) {
    let lower = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 256)
    for byte in 0..<256 { lower[byte] = UInt8(byte) &- 0x41 < 26 ? UInt8(byte) | 0x20 : UInt8(byte) }
    fold = lower
    let folded = literals.map { Array($0.utf8).map { lower[Int($0)] } }
    count = folded.count
    let m = min(max(3, folded.map(\.count).min() ?? 3), 16)
    windowLength = m

    shifts = .allocate(capacity: 65536)
    shifts.initialize(repeating: UInt8(m - 2))
    var buckets: [Int: [UInt32]] = [:]
    for (index, literal) in folded.enumerated() where literal.count >= 3 {
      // Blocks of the literal's first m bytes, ending at position q (2…m-1).
      for q in 2..<m {
        let key = Self.hash(literal[q - 2], literal[q - 1], literal[q])
        shifts[key] = min(shifts[key], UInt8(m - 1 - q))
      }
      buckets[Self.hash(literal[m - 3], literal[m - 2], literal[m - 1]), default: []].append(UInt32(index))
    }
    bucketStarts = .allocate(capacity: 65537)
    var flat: [UInt32] = []
    for key in 0..<65536 {
      bucketStarts[key] = UInt32(flat.count)
      if let bucket = buckets[key] { flat += bucket }
    }
    bucketStarts[65536] = UInt32(flat.count)
    bucketLiterals = .allocate(capacity: max(flat.count, 1))
    _ = bucketLiterals.initialize(from: flat)

    let total = folded.reduce(0) { $0 + $1.count }
    literalBytes = .allocate(capacity: max(total, 1))
    literalStarts = .allocate(capacity: folded.count + 1)
    var offset = 0
    for (index, literal) in folded.enumerated() {
      literalStarts[index] = offset
      for byte in literal { literalBytes[offset] = byte; offset += 1 }
    }
    literalStarts[folded.count] = offset
  }

  deinit {
    fold.deallocate()
    shifts.deallocate()
    bucketStarts.deallocate()
    bucketLiterals.deallocate()
    literalBytes.deallocate()
    literalStarts.deallocate()
  }

  /// The block hash: bytes OR 0x20 (folds ASCII case in one instruction; other bytes may
  /// collide, which only costs a compare), mixed into 16 bits.
  @inline(__always)
  static func hash(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Int {
    let folded = (UInt32(a | 0x20) << 16 | UInt32(b | 0x20) << 8 | UInt32(c | 0x20)) &* 0x9E37_79B1
    return Int(folded >> 16)
  }

  /// Appends to `hits` every occurrence of every literal in `text`, in order of its start.
  ///
  /// Each step waits on a shift-table load before it knows where to look next, so one scan is
  /// bound by memory latency. A long text (a batch of events) is therefore scanned as four
  /// lanes at once, whose steps interleave and overlap their loads. A window ending in one lane
  /// may start in the one before: the comparison always reads the whole text, so nothing at a
  /// lane boundary is missed, and each lane reports only windows ending in its own range.
  public func scan(_ text: UnsafeBufferPointer<UInt8>, into hits: inout [LiteralHit]) {
    let m = windowLength
    let length = text.count
    guard length >= m, count > 0, let base = text.baseAddress else { return }
    var first = m - 1
    guard length - first >= Self.laneThreshold else {
      while first < length { step(&first, base, length, &hits) }
      return
    }
    // Window ends: lane k covers [limit(k), limit(k+1)).
    let quarter = (length - first) / 4
    let limit1 = first + quarter
    let limit2 = limit1 + quarter
    let limit3 = limit2 + quarter
    var second = limit1
    var third = limit2
    var fourth = limit3
    var secondHits: [LiteralHit] = []
    var thirdHits: [LiteralHit] = []
    var fourthHits: [LiteralHit] = []
    while first < limit1 && second < limit2 && third < limit3 && fourth < length {
      step(&first, base, length, &hits)
      step(&second, base, length, &secondHits)
      step(&third, base, length, &thirdHits)
      step(&fourth, base, length, &fourthHits)
    }
    while first < limit1 { step(&first, base, length, &hits) }
    while second < limit2 { step(&second, base, length, &secondHits) }
    while third < limit3 { step(&third, base, length, &thirdHits) }
    while fourth < length { step(&fourth, base, length, &fourthHits) }
    hits += secondHits
    hits += thirdHits
    hits += fourthHits
  }

  /// Texts shorter than this are scanned in one lane (setting up four costs more than it saves).
  static let laneThreshold = 1024

  /// One step of the scan with the window ending at `end`: a jump, or (shift 0) a comparison
  /// of the literals in the block's bucket and a move of one byte.
  @inline(__always)
  private func step(_ end: inout Int, _ base: UnsafePointer<UInt8>, _ length: Int, _ hits: inout [LiteralHit]) {
    let key = Self.hash(base[end - 2], base[end - 1], base[end])
    let shift = Int(shifts[key])
    if shift != 0 {
      end += shift
      return
    }
    compareBucket(key, endingAt: end, in: base, length: length, hits: &hits)
    end += 1
  }

  /// Compares in full the literals whose first `m` bytes end with the block ending at `end`.
  @inline(__always)
  private func compareBucket(
    _ key: Int, endingAt end: Int, in base: UnsafePointer<UInt8>, length: Int, hits: inout [LiteralHit]
  ) {
    let start = end - windowLength + 1
    var slot = Int(bucketStarts[key])
    let last = Int(bucketStarts[key + 1])
    while slot < last {
      let index = Int(bucketLiterals[slot])
      slot += 1
      let from = literalStarts[index]
      let literalLength = literalStarts[index + 1] - from
      guard start + literalLength <= length else { continue }
      var offset = 0
      while offset < literalLength && fold[Int(base[start + offset])] == literalBytes[from + offset] { offset += 1 }
      if offset == literalLength { hits.append(LiteralHit(start: start, literal: index)) }
    }
  }

  /// The length of literal `index` in bytes.
  public func length(of index: Int) -> Int { literalStarts[index + 1] - literalStarts[index] }
}

/// One occurrence of a prefilter literal: where it starts in the scanned text, and which one.
public struct LiteralHit: Equatable, Sendable {
  public var start: Int
  public var literal: Int

  public init(start: Int, literal: Int) {
    self.start = start
    self.literal = literal
  }
}

/// The findings of one occurrence, as indexes into the run's ``FindingStore``. Most
/// occurrences have one finding, so the first is stored inline and only the others on the
/// heap: a run of a quarter of a million single-finding occurrences allocates nothing for them.
public struct FindingIndexes: RandomAccessCollection, ExpressibleByArrayLiteral, Sendable {
  // The tail first, then a 32-bit head: 12 bytes, so an ``Occurrence`` packs its category
  // after them.
  private var tail: [Int] = []
  /// The first index, or -1 when empty.
  private var head: Int32 = -1

  public init() {}

  public init(arrayLiteral elements: Int...) {
    for element in elements { append(element) }
  }

  public var startIndex: Int { 0 }
  public var endIndex: Int { head < 0 ? 0 : 1 + tail.count }

  public subscript(position: Int) -> Int { position == 0 ? Int(head) : tail[position - 1] }

  /// Adds an index at the end. O(1) amortized.
  public mutating func append(_ index: Int) {
    precondition(index >= 0 && index <= Int32.max, "finding indexes are 0 to 2^31-1")
    if head < 0 { head = Int32(index) } else { tail.append(index) }
  }

  public static func += (left: inout FindingIndexes, right: FindingIndexes) {
    for index in right { left.append(index) }
  }
}

/// An append-only array stored in fixed-size chunks: growing it never copies what it holds,
/// so its peak memory is its size (an `Array` that doubles holds the old and the new buffer
/// at once, one and a half times its size).
///
/// Appending and reading are O(1).
struct ChunkedArray<Element>: RandomAccessCollection {
  /// Elements per chunk (a power of two).
  static var chunkLength: Int { 4096 }
  private var chunks: [[Element]] = []
  private(set) var count = 0

  init() {}

  var startIndex: Int { 0 }
  var endIndex: Int { count }

  subscript(position: Int) -> Element {
    get { chunks[position >> 12][position & 4095] }
    // In place: changing a field of an element does not copy what the element holds.
    _modify { yield &chunks[position >> 12][position & 4095] }
  }

  /// Empties it into an array, chunk by chunk: each chunk is freed once copied, so at most
  /// one chunk is held twice.
  mutating func drainIntoArray() -> [Element] {
    var result: [Element] = []
    result.reserveCapacity(count)
    for position in chunks.indices {
      result.append(contentsOf: chunks[position])
      chunks[position] = []
    }
    chunks = []
    count = 0
    return result
  }

  mutating func append(_ element: Element) {
    if count & 4095 == 0 {
      chunks.append([])
      chunks[chunks.count - 1].reserveCapacity(Self.chunkLength)
    }
    chunks[chunks.count - 1].append(element)
    count += 1
  }
}
extension ChunkedArray: Sendable where Element: Sendable {}

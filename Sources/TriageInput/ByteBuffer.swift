/// A growable byte buffer whose storage does not move until it grows.
///
/// Stages use it as reusable scratch space (unescaped JSON, joined partial lines, an event's
/// lines) and hand out borrowed views of it, so the hot path allocates only when a buffer
/// needs more room than it ever had.
public final class ByteBuffer {
  public private(set) var base: UnsafeMutablePointer<UInt8>
  public private(set) var capacity: Int
  /// Bytes in use.
  public private(set) var count = 0
  /// Keeps the fields above off the cache lines of the next object: a buffer one thread fills
  /// byte by byte must not slow down another thread touching its neighbour (two lines, for
  /// the adjacent-line prefetcher).
  private let padding = CacheLinePadding()

  public init(capacity: Int = 4096) {
    self.capacity = max(capacity, 16)
    self.base = .allocate(capacity: self.capacity)
  }

  deinit { base.deallocate() }

  /// A borrowed view of the bytes, valid until the buffer is next changed.
  @inlinable public var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

  public func removeAll() { count = 0 }

  /// Makes room for `additional` more bytes.
  public func reserve(_ additional: Int) {
    guard count + additional > capacity else { return }
    var newCapacity = capacity * 2
    while newCapacity < count + additional { newCapacity *= 2 }
    let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
    grown.update(from: base, count: count)
    base.deallocate()
    base = grown
    capacity = newCapacity
  }

  public func append(_ byte: UInt8) {
    if count == capacity { reserve(1) }
    base[count] = byte
    count += 1
  }

  public func append(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard bytes.count > 0 else { return }
    reserve(bytes.count)
    (base + count).update(from: bytes.baseAddress!, count: bytes.count)
    count += bytes.count
  }

  public func append(_ literal: StaticString) {
    append(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
  }

  /// Shortens the buffer to `newCount` bytes.
  public func truncate(to newCount: Int) { count = min(count, max(newCount, 0)) }
}

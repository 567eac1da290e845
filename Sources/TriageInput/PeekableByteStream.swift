/// A stream whose first bytes can be looked at before anyone reads them.
///
/// The peeked bytes are replayed by `read(into:)`, so sniffing the content costs no extra I/O.
public final class PeekableByteStream: ByteStream {
  private let upstream: ByteStream
  /// The first bytes of the stream (fewer than requested only when the stream is that short).
  public private(set) var prefix: [UInt8]
  private var replayOffset = 0

  /// Reads up to `count` bytes of `upstream` for inspection.
  public init(_ upstream: ByteStream, peeking count: Int) throws(InputError) {
    self.upstream = upstream
    let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 1)
    defer { raw.deallocate() }
    let filled = try upstream.readFully(into: raw)
    self.prefix = Array(UnsafeRawBufferPointer(rebasing: raw[0..<filled]))
  }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
    if replayOffset < prefix.count {
      let count = min(buffer.count, prefix.count - replayOffset)
      prefix.withUnsafeBytes { raw in
        buffer.baseAddress!.copyMemory(from: raw.baseAddress! + replayOffset, byteCount: count)
      }
      replayOffset += count
      if replayOffset == prefix.count { prefix = [] ; replayOffset = .max }
      return count
    }
    return try upstream.read(into: buffer)
  }
}

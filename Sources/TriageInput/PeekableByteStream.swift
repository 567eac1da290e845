/// A stream whose first bytes can be looked at before anyone reads them.
///
/// The peeked bytes are replayed by `read(into:)`, so sniffing the content costs no extra I/O.
public final class PeekableByteStream: ByteStream {
  private let upstream: ByteStream
  /// The first bytes of the stream (fewer than requested only when the stream is that short).
  public private(set) var prefix: [UInt8]
  private var replayOffset = 0
  /// A read error met while peeking, raised once the peeked bytes are replayed.
  private var deferredError: InputError?

  /// Reads up to `count` bytes of `upstream` for inspection, but stops early once the bytes
  /// decide the content (``ContentKind/isDecided(by:)``), so a pipe that is still open is not
  /// waited on for a full sample.
  public init(_ upstream: ByteStream, peeking count: Int) throws(InputError) {
    self.upstream = upstream
    let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 1)
    defer { raw.deallocate() }
    var filled = 0
    do {
      while filled < count {
        let got = try upstream.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[filled...]))
        if got == 0 { break }
        filled += got
        if ContentKind.isDecided(by: UnsafeRawBufferPointer(rebasing: raw[0..<filled])) { break }
      }
    } catch {
      // Keep what was read before the error; the error comes after those bytes.
      if filled == 0 { throw error }
      deferredError = error
    }
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
    if let error = deferredError {
      deferredError = nil
      throw error
    }
    return try upstream.read(into: buffer)
  }
}

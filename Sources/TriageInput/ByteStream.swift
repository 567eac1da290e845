/// A source of bytes that is read front to back in chunks.
///
/// Contract: `read(into:)` fills a prefix of the buffer and returns how many bytes it wrote.
/// It returns 0 only at the end of the stream (and every call after that returns 0 too).
/// A stream that meets damaged data (a truncated gzip member, a short tar member) keeps what it
/// could read, records a warning in its ``InputDiagnostics`` and then reports the end of the
/// stream: damage never throws. `read(into:)` throws only when the operating system refuses to
/// give bytes that exist (an I/O error).
public protocol ByteStream: AnyObject {
  /// Reads up to `buffer.count` bytes into the start of `buffer`.
  /// - Returns: the number of bytes written; 0 means the stream has ended.
  /// - Throws: ``InputError`` when the underlying file cannot be read.
  func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int
}

extension ByteStream {
  /// Reads until `buffer` is full or the stream ends.
  /// - Returns: the number of bytes read; less than `buffer.count` only at the end of the stream.
  public func readFully(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
    var filled = 0
    while filled < buffer.count {
      let count = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
      if count == 0 { break }
      filled += count
    }
    return filled
  }
}

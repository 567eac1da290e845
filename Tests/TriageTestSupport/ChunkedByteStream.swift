import TriageInput

/// Serves fixed bytes at most `chunkSize` at a time, to prove results do not depend on how
/// reads are split (NIO's `ByteToMessageDecoderVerifier` idea).
public final class ChunkedByteStream: ByteStream {
  private let bytes: [UInt8]
  private let chunkSize: Int
  private var offset = 0

  public init(_ bytes: [UInt8], chunkSize: Int = .max) {
    self.bytes = bytes
    self.chunkSize = max(chunkSize, 1)
  }

  public convenience init(_ text: String, chunkSize: Int = .max) {
    self.init(Array(text.utf8), chunkSize: chunkSize)
  }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
    let count = min(buffer.count, chunkSize, bytes.count - offset)
    guard count > 0 else { return 0 }
    bytes.withUnsafeBytes { raw in
      buffer.baseAddress!.copyMemory(from: raw.baseAddress! + offset, byteCount: count)
    }
    offset += count
    return count
  }
}

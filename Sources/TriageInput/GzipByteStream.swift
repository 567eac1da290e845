import CTriageZlib

/// Inflates gzip data from an upstream stream, member after member.
///
/// - Every concatenated member is read (`cat a.gz b.gz`, rotated logs): after each member's end
///   the stream is reset and continues when more gzip data follows. Zero padding after the last
///   member is skipped silently; other trailing bytes give a `trailing-garbage` warning.
/// - Damage never throws: a stream cut short keeps every byte inflated before the cut and warns
///   `truncated-gzip`; corrupt deflate data keeps what was inflated and warns `corrupt-gzip`.
/// - The `z_stream` lives in allocated memory and never moves (zlib keeps a pointer to it).
///
/// - Complexity: O(n) in the compressed size; memory is fixed (one input chunk plus zlib's
///   32 KiB window).
public final class GzipByteStream: ByteStream {
  private let upstream: ByteStream
  private let source: String
  private let diagnostics: InputDiagnostics
  private let zstream: UnsafeMutablePointer<z_stream>
  private let input: UnsafeMutableRawBufferPointer
  private var finished = false
  /// True between a member's end and the first byte of the next one.
  private var betweenMembers = false
  private var compressedOffset = 0
  private var inflatedTotal = 0

  /// - Parameters:
  ///   - upstream: the compressed bytes, starting with the gzip magic `1f 8b`.
  ///   - source: the name used in warnings.
  ///   - chunkSize: how many compressed bytes are read per upstream call.
  public init(
    _ upstream: ByteStream, source: String, diagnostics: InputDiagnostics, chunkSize: Int = 128 * 1024
  ) {
    self.upstream = upstream
    self.source = source
    self.diagnostics = diagnostics
    self.input = .allocate(byteCount: chunkSize, alignment: 16)
    self.zstream = .allocate(capacity: 1)
    zstream.initialize(to: z_stream())
    // 15 + 32: a zlib or gzip header, detected by zlib.
    _ = triage_inflateInit2(zstream, 15 + 32)
  }

  deinit {
    inflateEnd(zstream)
    zstream.deinitialize(count: 1)
    zstream.deallocate()
    input.deallocate()
  }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
    guard !finished, buffer.count > 0 else { return 0 }
    let capacity = min(buffer.count, Int(UInt32.max))
    zstream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
    zstream.pointee.avail_out = uInt(capacity)
    while zstream.pointee.avail_out > 0 {
      if zstream.pointee.avail_in == 0 {
        let count = try upstream.read(into: input)
        if count == 0 {
          if !betweenMembers {
            diagnostics.warn(
              source: source, kind: .truncatedGzip,
              "gzip data ends in the middle of a member (after \(compressedOffset) compressed bytes); kept the \(inflatedTotal + capacity - Int(zstream.pointee.avail_out)) bytes inflated before the cut. The file was probably still being written or copied; re-copy it if you need the rest."
            )
          }
          finished = true
          break
        }
        compressedOffset += count
        zstream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
        zstream.pointee.avail_in = uInt(count)
      }
      if betweenMembers {
        guard startNextMember() else { finished = true; break }
        continue
      }
      let status = inflate(zstream, Z_NO_FLUSH)
      switch status {
      case Z_OK, Z_BUF_ERROR:
        continue
      case Z_STREAM_END:
        betweenMembers = true
      default:
        let reason = zstream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
        diagnostics.warn(
          source: source, kind: .corruptGzip,
          "corrupt gzip data near compressed byte \(compressedOffset - Int(zstream.pointee.avail_in)) (\(reason)); kept what was inflated before it. Check the file with `gzip -t`."
        )
        finished = true
      }
      if finished { break }
    }
    let produced = capacity - Int(zstream.pointee.avail_out)
    inflatedTotal += produced
    return produced
  }

  /// Looks at the bytes after a member's end: zero padding is skipped, a new gzip header resets
  /// the inflater, anything else is reported as trailing garbage.
  /// - Returns: false when no further member follows.
  private func startNextMember() -> Bool {
    while zstream.pointee.avail_in > 0 && zstream.pointee.next_in.pointee == 0 {
      zstream.pointee.next_in += 1
      zstream.pointee.avail_in -= 1
    }
    if zstream.pointee.avail_in == 0 { return true }  // only padding so far; read on
    if zstream.pointee.next_in[0] != 0x1f {
      diagnostics.warn(
        source: source, kind: .trailingGarbage,
        "\(zstream.pointee.avail_in)+ bytes after the last gzip member are not gzip data; they were ignored."
      )
      return false
    }
    inflateReset(zstream)
    betweenMembers = false
    return true
  }
}

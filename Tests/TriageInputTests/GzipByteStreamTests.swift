import Testing
import TriageInput
import TriageTestSupport

/// Reads a stream to its end in `chunkSize` pieces.
func drain(_ stream: ByteStream, chunkSize: Int = 4096) throws(InputError) -> [UInt8] {
  var result: [UInt8] = []
  let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 1)
  defer { buffer.deallocate() }
  while true {
    let count = try stream.read(into: buffer)
    if count == 0 { return result }
    result += buffer[0..<count]
  }
}

@Suite struct GzipByteStreamTests {
  let first = Array(String(repeating: "first member line\n", count: 2000).utf8)
  let second = Array("second member\n".utf8)

  func inflate(_ compressed: [UInt8], upstreamChunk: Int = .max, readChunk: Int = 4096) throws -> ([UInt8], [InputWarning]) {
    let diagnostics = InputDiagnostics()
    let stream = GzipByteStream(ChunkedByteStream(compressed, chunkSize: upstreamChunk), source: "t.gz", diagnostics: diagnostics, chunkSize: 1000)
    return (try drain(stream, chunkSize: readChunk), diagnostics.warnings)
  }

  @Test func oneMember() throws {
    let (bytes, warnings) = try inflate(Fixtures.gzip(first))
    #expect(bytes == first)
    #expect(warnings.isEmpty)
  }

  @Test(arguments: [1, 7, 999, 1000, 1001, Int.max])
  func everyConcatenatedMemberIsRead(upstreamChunk: Int) throws {
    let firstMember = Fixtures.gzip(first)
    let (bytes, warnings) = try inflate(firstMember + Fixtures.gzip(second), upstreamChunk: upstreamChunk, readChunk: 777)
    #expect(bytes == first + second)
    #expect(warnings.isEmpty)
  }

  @Test func aMemberEndingExactlyAtAChunkEdgeStillReadsTheNext() throws {
    let firstMember = Fixtures.gzip(first)
    // The upstream hands over the first member in exactly one read, then the second.
    let (bytes, _) = try inflate(firstMember + Fixtures.gzip(second), upstreamChunk: firstMember.count)
    #expect(bytes == first + second)
  }

  @Test func zeroPaddingAfterTheLastMemberIsIgnored() throws {
    let (bytes, warnings) = try inflate(Fixtures.gzip(second) + [UInt8](repeating: 0, count: 4096))
    #expect(bytes == second)
    #expect(warnings.isEmpty)
  }

  @Test func trailingGarbageIsReportedAndWhatCameBeforeIsKept() throws {
    let (bytes, warnings) = try inflate(Fixtures.gzip(second) + Array("garbage".utf8))
    #expect(bytes == second)
    #expect(warnings.map(\.kind) == [.trailingGarbage])
  }

  @Test func aTruncatedStreamKeepsWhatItHadAndWarnsAtEveryCutPoint() throws {
    let compressed = Fixtures.gzip(first)
    for cut in stride(from: 20, to: compressed.count - 8, by: max(1, compressed.count / 40)) {
      let (bytes, warnings) = try inflate(Array(compressed[0..<cut]))
      #expect(bytes == Array(first.prefix(bytes.count)), "cut at \(cut): kept bytes are a prefix")
      #expect(warnings.map(\.kind) == [.truncatedGzip], "cut at \(cut)")
      #expect(warnings.first?.message.contains("ends in the middle of a member") == true)
    }
  }

  @Test func corruptDataIsReportedAndTheReadEnds() throws {
    var compressed = Fixtures.gzip(first)
    for index in 40..<60 { compressed[index] ^= 0xFF }
    let (bytes, warnings) = try inflate(compressed)
    #expect(bytes != first)
    #expect(warnings.map(\.kind) == [.corruptGzip])
    #expect(warnings.first?.message.contains("gzip -t") == true)
  }
}

import Testing
@testable import TriageInput

/// The progress line counts what passes through metered streams.
@Suite struct ProgressMeterTests {
  @Test func meteredStreamsAddUpAndTheLineSaysHowFar() throws {
    let meter = ProgressMeter(total: 300_000_000)
    let stream = MeteredByteStream(ChunkedBytes(count: 150_000_000), meter: meter)
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 1)
    defer { buffer.deallocate() }
    while try stream.read(into: buffer) > 0 {}
    #expect(meter.bytesRead == 150_000_000)
    #expect(meter.line().hasPrefix("triage: read 150 MB of 300 MB (50%), "))
    #expect(ProgressMeter(total: nil).line().hasPrefix("triage: read 0 MB, "))
  }
}

/// `count` zero bytes.
final class ChunkedBytes: ByteStream {
  private var remaining: Int
  init(count: Int) { remaining = count }
  func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
    let count = min(buffer.count, remaining)
    remaining -= count
    return count
  }
}

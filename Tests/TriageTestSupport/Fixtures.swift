import CTriageZlib
import TriageInput

/// Builds compressed and archived fixtures in memory, so no binary files are committed.
public enum Fixtures {
  /// One gzip member holding `bytes` (zlib's deflate with a gzip wrapper).
  public static func gzip(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    defer { deflateEnd(stream); stream.deallocate() }
    precondition(triage_deflateInit2(stream, level, 15 + 16) == Z_OK)
    var input = bytes
    var output = [UInt8](repeating: 0, count: Int(deflateBound(stream, uLong(bytes.count))) + 64)
    let produced: Int = input.withUnsafeMutableBufferPointer { inBuffer in
      output.withUnsafeMutableBufferPointer { outBuffer in
        stream.pointee.next_in = inBuffer.baseAddress
        stream.pointee.avail_in = uInt(inBuffer.count)
        stream.pointee.next_out = outBuffer.baseAddress
        stream.pointee.avail_out = uInt(outBuffer.count)
        precondition(deflate(stream, Z_FINISH) == Z_STREAM_END)
        return outBuffer.count - Int(stream.pointee.avail_out)
      }
    }
    return Array(output[0..<produced])
  }

  public static func gzip(_ text: String) -> [UInt8] { gzip(Array(text.utf8)) }

  /// A tar member to write.
  public struct TarEntry {
    public var name: String
    public var bytes: [UInt8]
    /// `regular`, `directory`, or how the name is stored when long.
    public var type: UInt8 = UInt8(ascii: "0")
    public init(_ name: String, _ bytes: [UInt8], type: UInt8 = UInt8(ascii: "0")) {
      self.name = name
      self.bytes = bytes
      self.type = type
    }
    public init(_ name: String, _ text: String) { self.init(name, Array(text.utf8)) }
  }

  /// How names longer than 100 bytes are stored.
  public enum LongNames: Sendable, CaseIterable { case gnu, pax }

  /// A tar archive (ustar headers; long names as GNU `L` entries or pax `path` records).
  public static func tar(_ entries: [TarEntry], longNames: LongNames = .gnu, endMarker: Bool = true) -> [UInt8] {
    var archive: [UInt8] = []
    func header(name: String, size: Int, type: UInt8) -> [UInt8] {
      var block = [UInt8](repeating: 0, count: 512)
      let nameBytes = Array(name.utf8.prefix(100))
      block.replaceSubrange(0..<nameBytes.count, with: nameBytes)
      func octal(_ value: Int, _ range: Range<Int>) {
        let digits = Array(String(value, radix: 8).utf8)
        let width = range.count - 1
        let padded = [UInt8](repeating: 0x30, count: max(0, width - digits.count)) + digits
        block.replaceSubrange(range.lowerBound..<(range.lowerBound + width), with: padded.suffix(width))
      }
      octal(0o644, 100..<108)
      octal(0, 108..<116)
      octal(0, 116..<124)
      octal(size, 124..<136)
      octal(1_700_000_000, 136..<148)
      block[156] = type
      block.replaceSubrange(257..<263, with: Array("ustar\u{0}".utf8))
      block.replaceSubrange(263..<265, with: Array("00".utf8))
      for index in 148..<156 { block[index] = 0x20 }
      let sum = block.reduce(0) { $0 + Int($1) }
      let digits = Array(String(sum, radix: 8).utf8)
      let field = [UInt8](repeating: 0x30, count: 6 - digits.count) + digits + [0, 0x20]
      block.replaceSubrange(148..<156, with: field)
      return block
    }
    func appendData(_ bytes: [UInt8]) {
      archive += bytes
      archive += [UInt8](repeating: 0, count: (512 - bytes.count % 512) % 512)
    }
    for entry in entries {
      if entry.name.utf8.count > 100 {
        switch longNames {
        case .gnu:
          let data = Array(entry.name.utf8) + [0]
          archive += header(name: "././@LongLink", size: data.count, type: UInt8(ascii: "L"))
          appendData(data)
        case .pax:
          var record = " path=\(entry.name)\n"
          var length = record.utf8.count
          length += String(length).count
          if String(length).count + record.utf8.count != length { length += 1 }
          record = "\(length)" + record
          archive += header(name: "PaxHeader", size: record.utf8.count, type: UInt8(ascii: "x"))
          appendData(Array(record.utf8))
        }
      }
      archive += header(name: String(entry.name.suffix(99)), size: entry.bytes.count, type: entry.type)
      appendData(entry.bytes)
    }
    if endMarker { archive += [UInt8](repeating: 0, count: 1024) }
    return archive
  }

  /// A raw ustar header with a given size field (12 bytes), for damaged-archive tests.
  public static func tarHeader(name: String, sizeField: [UInt8], type: Character) -> [UInt8] {
    var block = [UInt8](repeating: 0, count: 512)
    block.replaceSubrange(0..<name.utf8.count, with: Array(name.utf8))
    block.replaceSubrange(100..<108, with: Array("0000644\u{0}".utf8))
    block.replaceSubrange(108..<116, with: Array("0000000\u{0}".utf8))
    block.replaceSubrange(116..<124, with: Array("0000000\u{0}".utf8))
    block.replaceSubrange(124..<136, with: sizeField)
    block.replaceSubrange(136..<148, with: Array("00000000000\u{0}".utf8))
    block[156] = type.asciiValue!
    block.replaceSubrange(257..<265, with: Array("ustar\u{0}00".utf8))
    for index in 148..<156 { block[index] = 0x20 }
    let sum = block.reduce(0) { $0 + Int($1) }
    let digits = Array(String(sum, radix: 8).utf8)
    block.replaceSubrange(148..<156, with: [UInt8](repeating: 0x30, count: 6 - digits.count) + digits + [0, 0x20])
    return block
  }

  /// An octal size field.
  public static func octalSize(_ size: Int) -> [UInt8] {
    let digits = Array(String(size, radix: 8).utf8)
    return [UInt8](repeating: 0x30, count: 11 - digits.count) + digits + [0]
  }

  /// A pax extended header with `records`, padded.
  public static func paxHeader(_ records: [(String, String)]) -> [UInt8] {
    var body: [UInt8] = []
    for (key, value) in records {
      let record = " \(key)=\(value)\n"
      var length = record.utf8.count + 1
      while String(length).utf8.count + record.utf8.count != length { length += 1 }
      body += Array((String(length) + record).utf8)
    }
    return tarHeader(name: "PaxHeader", sizeField: octalSize(body.count), type: "x") + padded(body)
  }

  /// Bytes padded with zeros to a multiple of 512.
  public static func padded(_ bytes: [UInt8]) -> [UInt8] {
    bytes + [UInt8](repeating: 0, count: (512 - bytes.count % 512) % 512)
  }
}

/// Reads the members of a tar archive from a stream, one after another.
///
/// Understands ustar (name + prefix), GNU long names (`L` entries) and pax extended headers
/// (`path` and `size` records). Directories, links and device entries are passed over.
/// Damage never throws: a bad header checksum stops the archive with a `corrupt-tar` warning,
/// and a member that claims more bytes than the archive holds keeps what is there and warns
/// `truncated-tar`.
///
/// - Complexity: O(n) in the archive size; memory is one 64 KiB buffer plus the member names.
public final class TarArchiveReader {
  /// One regular-file member of the archive.
  public struct Member: Sendable, Equatable {
    /// The member's path inside the archive, without a leading `./`.
    public let path: String
    /// The size the header declares.
    public let declaredSize: Int
  }

  private let reader: ExactByteReader
  private let source: String
  private let diagnostics: InputDiagnostics

  public init(_ upstream: ByteStream, source: String, diagnostics: InputDiagnostics) {
    self.reader = ExactByteReader(upstream)
    self.source = source
    self.diagnostics = diagnostics
  }

  /// Calls `body` with each regular-file member and a stream of exactly its bytes.
  ///
  /// `body` may read as little of the member stream as it likes; the rest is skipped.
  /// - Throws: ``InputError`` only for I/O errors of the underlying file, or what `body` throws.
  public func forEachMember(_ body: (Member, ByteStream) throws(InputError) -> Void) throws(InputError) {
    let headerBlock = UnsafeMutableRawBufferPointer.allocate(byteCount: 512, alignment: 8)
    defer { headerBlock.deallocate() }
    var pendingLongName: String?
    var pendingPaxPath: String?
    var pendingPaxSize: Int?
    var memberIndex = 0
    while true {
      let got = try reader.read(exactly: headerBlock)
      if got == 0 { return }  // a missing end-of-archive marker is common and harmless
      if got < 512 {
        diagnostics.warn(source: source, kind: .truncatedTar, "the archive ends inside a tar header; everything before it was read.")
        return
      }
      let header = Array(headerBlock)
      if header.allSatisfy({ $0 == 0 }) { return }
      guard Self.checksumMatches(header) else {
        diagnostics.warn(
          source: source, kind: .corruptTar,
          "tar header #\(memberIndex + 1) has a bad checksum, so the rest of the archive cannot be located; the \(memberIndex) members before it were read. Check the archive with `tar -tvf`."
        )
        return
      }
      memberIndex += 1
      let type = header[156]
      var size = Self.parseNumber(header[124..<136]) ?? 0
      if let paxSize = pendingPaxSize, type != UInt8(ascii: "x"), type != UInt8(ascii: "g") { size = paxSize }
      guard size >= 0, size <= Self.largestMember else {
        diagnostics.warn(
          source: source, kind: .corruptTar,
          "tar header #\(memberIndex) declares an impossible size (\(size) bytes), so the rest of the archive cannot be located; the members before it were read."
        )
        return
      }

      switch type {
      case UInt8(ascii: "L"):
        pendingLongName = try readText(size: size)
        continue
      case UInt8(ascii: "x"):
        let records = try readText(size: size)
        for (key, value) in Self.parsePax(records) {
          if key == "path" { pendingPaxPath = value }
          if key == "size", let number = Int(value) { pendingPaxSize = number < 0 ? Self.largestMember + 1 : number }
        }
        continue
      case 0, UInt8(ascii: "0"), UInt8(ascii: "7"):
        let path = pendingPaxPath ?? pendingLongName ?? Self.headerName(header)
        pendingLongName = nil
        pendingPaxPath = nil
        pendingPaxSize = nil
        var trimmed = Substring(path)
        while trimmed.hasPrefix("./") { trimmed = trimmed.dropFirst(2) }
        let member = Member(path: String(trimmed), declaredSize: size)
        let stream = TarMemberStream(reader: reader, size: size, name: "\(source):\(member.path)", diagnostics: diagnostics)
        try body(member, stream)
        try stream.skipRest()
        if stream.wasTruncated { return }
        try skipPadding(after: size)
      default:
        pendingLongName = nil
        pendingPaxPath = nil
        pendingPaxSize = nil
        let skipped = try reader.skip(size + Self.padding(after: size))
        if skipped < size + Self.padding(after: size) {
          diagnostics.warn(source: source, kind: .truncatedTar, "the archive ends inside an entry; everything before it was read.")
          return
        }
      }
    }
  }

  private func readText(size: Int) throws(InputError) -> String {
    let limited = min(size, 1 << 20)
    let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: max(limited, 1), alignment: 1)
    defer { raw.deallocate() }
    let got = try reader.read(exactly: UnsafeMutableRawBufferPointer(rebasing: raw[0..<limited]))
    _ = try reader.skip(size - limited + Self.padding(after: size))
    var bytes = Array(UnsafeRawBufferPointer(rebasing: raw[0..<got]))
    if let nul = bytes.firstIndex(of: 0) { bytes.removeSubrange(nul...) }
    return String(decoding: bytes, as: UTF8.self)
  }

  private func skipPadding(after size: Int) throws(InputError) {
    _ = try reader.skip(Self.padding(after: size))
  }

  static func padding(after size: Int) -> Int { (512 - size % 512) % 512 }

  /// The largest member size believed (256 TiB): anything larger is a corrupt header.
  static let largestMember = 1 << 48

  static func checksumMatches(_ header: [UInt8]) -> Bool {
    guard let stored = parseNumber(header[148..<156]) else { return false }
    var sum = 0
    for index in 0..<512 { sum += (148..<156).contains(index) ? 32 : Int(header[index]) }
    return sum == stored
  }

  /// Parses an octal field (NUL/space padded) or a GNU base-256 field (high bit set).
  static func parseNumber(_ field: ArraySlice<UInt8>) -> Int? {
    if let first = field.first, first & 0x80 != 0 {
      var value = Int(first & 0x7f)
      for byte in field.dropFirst() {
        guard value < Int.max >> 8 else { return nil }
        value = value << 8 | Int(byte)
      }
      return value
    }
    var value = 0
    var sawDigit = false
    for byte in field {
      if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "7") {
        guard value < Int.max >> 3 else { return nil }
        value = value * 8 + Int(byte - UInt8(ascii: "0"))
        sawDigit = true
      } else if byte == 0 || byte == UInt8(ascii: " ") {
        if sawDigit { break }
      } else {
        return nil
      }
    }
    return value
  }

  static func headerName(_ header: [UInt8]) -> String {
    func field(_ range: Range<Int>) -> String {
      let slice = header[range]
      let end = slice.firstIndex(of: 0) ?? range.upperBound
      return String(decoding: header[range.lowerBound..<end], as: UTF8.self)
    }
    let name = field(0..<100)
    // POSIX ustar ("ustar\0" + "00") has a prefix field; GNU tar ("ustar  \0") does not.
    let isPosix = header[257..<263].elementsEqual([0x75, 0x73, 0x74, 0x61, 0x72, 0x00])
    let prefix = isPosix ? field(345..<500) : ""
    return prefix.isEmpty ? name : prefix + "/" + name
  }

  /// Splits pax records (`"<length> key=value\n"`) into key/value pairs.
  static func parsePax(_ text: String) -> [(String, String)] {
    var result: [(String, String)] = []
    for line in text.split(separator: "\n") {
      guard let space = line.firstIndex(of: " "), let equals = line[space...].firstIndex(of: "=") else { continue }
      let key = line[line.index(after: space)..<equals]
      let value = line[line.index(after: equals)...]
      result.append((String(key), String(value)))
    }
    return result
  }
}

/// The bytes of one tar member: exactly `size` bytes of the archive, or fewer when it is cut.
final class TarMemberStream: ByteStream {
  private let reader: ExactByteReader
  private var remaining: Int
  private let declared: Int
  private let name: String
  private let diagnostics: InputDiagnostics
  private(set) var wasTruncated = false

  init(reader: ExactByteReader, size: Int, name: String, diagnostics: InputDiagnostics) {
    self.reader = reader
    self.remaining = size
    self.declared = size
    self.name = name
    self.diagnostics = diagnostics
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
    guard remaining > 0, buffer.count > 0 else { return 0 }
    let wanted = min(buffer.count, remaining)
    let got = try reader.read(upTo: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<wanted]))
    if got == 0 { noteTruncation(); return 0 }
    remaining -= got
    return got
  }

  func skipRest() throws(InputError) {
    guard remaining > 0, !wasTruncated else { return }
    let skipped = try reader.skip(remaining)
    if skipped < remaining { remaining -= skipped; noteTruncation() } else { remaining = 0 }
  }

  private func noteTruncation() {
    guard !wasTruncated else { return }
    wasTruncated = true
    diagnostics.warn(
      source: name, kind: .truncatedTar,
      "the tar header declares \(declared) bytes but the archive ends after \(declared - remaining); kept what was there. The archive was cut short: re-create or re-copy it."
    )
  }
}

/// Reads exact byte counts from a stream through one reused buffer.
final class ExactByteReader: ByteStream {
  private let upstream: ByteStream
  private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
  private var start = 0
  private var end = 0

  init(_ upstream: ByteStream) { self.upstream = upstream }
  deinit { buffer.deallocate() }

  /// Fills the buffer when it is empty. Returns false at the end of the stream.
  private func refill() throws(InputError) -> Bool {
    if start < end { return true }
    start = 0
    end = try upstream.read(into: buffer)
    return end > 0
  }

  /// Copies up to `destination.count` bytes; 0 only at the end of the stream.
  func read(upTo destination: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
    guard try refill() else { return 0 }
    let count = min(destination.count, end - start)
    destination.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: count)
    start += count
    return count
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int { try read(upTo: buffer) }

  /// Copies exactly `destination.count` bytes unless the stream ends first.
  func read(exactly destination: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
    try readFully(into: destination)
  }

  /// Discards `count` bytes. Returns how many were discarded (fewer only at the end).
  func skip(_ count: Int) throws(InputError) -> Int {
    var skipped = 0
    while skipped < count {
      guard try refill() else { break }
      let step = min(count - skipped, end - start)
      start += step
      skipped += step
    }
    return skipped
  }
}

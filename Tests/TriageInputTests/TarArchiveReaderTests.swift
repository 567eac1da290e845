import Testing
import TriageInput
import TriageTestSupport

@Suite struct TarArchiveReaderTests {
  func members(_ archive: [UInt8], chunkSize: Int = .max) throws -> ([(String, [UInt8])], [InputWarning]) {
    let diagnostics = InputDiagnostics()
    var result: [(String, [UInt8])] = []
    try TarArchiveReader(ChunkedByteStream(archive, chunkSize: chunkSize), source: "b.tar", diagnostics: diagnostics)
      .forEachMember { member, stream throws(InputError) in result.append((member.path, try drain(stream))) }
    return (result, diagnostics.warnings)
  }

  @Test(arguments: [1, 511, 512, 4096, Int.max])
  func regularMembersInOrder(chunkSize: Int) throws {
    let archive = Fixtures.tar([
      .init("./var/log/a.log", "alpha\n"),
      .init("var/log/", [], type: UInt8(ascii: "5")),
      .init("var/log/b.log", String(repeating: "b", count: 1500)),
      .init("empty.log", ""),
    ])
    let (found, warnings) = try members(archive, chunkSize: chunkSize)
    #expect(found.map(\.0) == ["var/log/a.log", "var/log/b.log", "empty.log"])
    #expect(found[1].1.count == 1500)
    #expect(warnings.isEmpty)
  }

  @Test(arguments: [Fixtures.LongNames.gnu, .pax])
  func longNames(style: Fixtures.LongNames) throws {
    let name = "support-bundle/" + String(repeating: "deep/", count: 30) + "worker.log"
    let (found, _) = try members(Fixtures.tar([.init(name, "x\n"), .init("short.log", "y\n")], longNames: style))
    #expect(found.map(\.0) == [name, "short.log"])
    #expect(found.map(\.1) == [Array("x\n".utf8), Array("y\n".utf8)])
  }

  @Test func aMemberClaimingMoreBytesThanTheArchiveHoldsKeepsWhatIsThere() throws {
    let full = Fixtures.tar([.init("ok.log", "fine\n"), .init("cut.log", String(repeating: "z", count: 3000))], endMarker: false)
    let (found, warnings) = try members(Array(full.prefix(full.count - 2000)))
    #expect(found.map(\.0) == ["ok.log", "cut.log"])
    // 3 headers/blocks of 512 precede it; 4608 - 2000 - 1536 = 1072 of its bytes remain.
    #expect(found[1].1 == [UInt8](repeating: UInt8(ascii: "z"), count: 1072))
    #expect(warnings.map(\.kind) == [.truncatedTar])
    #expect(warnings.first?.source == "b.tar:cut.log")
  }

  @Test func aCorruptHeaderStopsTheArchiveAfterTheGoodMembers() throws {
    var archive = Fixtures.tar([.init("one.log", "1\n"), .init("two.log", "2\n")])
    archive[1024 + 10] ^= 0x55  // second header's name, so its checksum no longer matches
    let (found, warnings) = try members(archive)
    #expect(found.map(\.0) == ["one.log"])
    #expect(warnings.map(\.kind) == [.corruptTar])
  }

  @Test func tenThousandEmptyMembers() throws {
    let entries = (0..<10_000).map { Fixtures.TarEntry("e\($0).log", "") }
    let (found, warnings) = try members(Fixtures.tar(entries))
    #expect(found.count == 10_000)
    #expect(warnings.isEmpty)
  }
}

import Testing
import TriageInput
import TriageTestSupport

/// Records each source and its bytes.
struct RecordingConsumer: TextSourceConsumer {
  var sources: [(TextSource, [UInt8])] = []
  mutating func consume(_ source: TextSource, stream: ByteStream) throws(InputError) {
    sources.append((source, try drain(stream)))
  }
}

@Suite struct SourceWalkerTests {
  func walk(_ paths: [String]) -> (RecordingConsumer, InputDiagnostics) {
    let diagnostics = InputDiagnostics()
    var consumer = RecordingConsumer()
    SourceWalker(diagnostics: diagnostics).walk(paths: paths, into: &consumer)
    return (consumer, diagnostics)
  }

  @Test func directoriesAreReadRecursivelyRotatedCopiesOldestFirst() {
    let root = RepositoryPaths.temporaryDirectory()
    mkdir(root + "/b", 0o755)
    RepositoryPaths.write(Array("live\n".utf8), to: root + "/app.log")
    RepositoryPaths.write(Array("one\n".utf8), to: root + "/app.log.1")
    RepositoryPaths.write(Fixtures.gzip("two\n"), to: root + "/app.log.2.gz")
    RepositoryPaths.write(Array("worker-2\n".utf8), to: root + "/worker-2")
    RepositoryPaths.write(Array("worker-10\n".utf8), to: root + "/worker-10")
    RepositoryPaths.write(Array("nested\n".utf8), to: root + "/b/0.log")
    RepositoryPaths.write(Fixtures.gzip("dated\n"), to: root + "/b/0.log.20251103-101217.gz")
    RepositoryPaths.write(Array("# notes\n".utf8), to: root + "/README.md")
    let (consumer, diagnostics) = walk([root])
    #expect(consumer.sources.map { String($0.0.name.dropFirst(root.count + 1)) } == [
      "app.log.2.gz", "app.log.1", "app.log", "b/0.log.20251103-101217.gz", "b/0.log", "worker-10", "worker-2",
    ])
    #expect(consumer.sources.map(\.0.wasCompressed) == [true, false, false, true, false, false, false])
    #expect(consumer.sources[0].1 == Array("two\n".utf8))
    #expect(diagnostics.warnings.map(\.kind) == [.documentationSkipped])
  }

  @Test func binaryFilesAreSkippedWithAWarningAndOthersStillRead() {
    let root = RepositoryPaths.temporaryDirectory()
    RepositoryPaths.write([0x7F, 0x45, 0x4C, 0x46] + [UInt8](repeating: 1, count: 100), to: root + "/core")
    RepositoryPaths.write((0..<2000).map { UInt8($0 % 32) }, to: root + "/blob.bin")
    RepositoryPaths.write(Array("BZh91AY&SY".utf8), to: root + "/old.log.bz2")
    RepositoryPaths.write(Array("text\n".utf8), to: root + "/z.log")
    let (consumer, diagnostics) = walk([root])
    #expect(consumer.sources.map(\.1) == [Array("text\n".utf8)])
    let kinds = diagnostics.warnings.map(\.kind)
    #expect(kinds == [.binarySkipped, .binarySkipped, .unsupportedCompression])
    #expect(diagnostics.warnings[0].message.contains("control bytes"))
    #expect(diagnostics.warnings[1].message.contains("ELF"))
  }

  @Test func missingPathsAreErrorsAndTheWalkGoesOn() {
    let root = RepositoryPaths.temporaryDirectory()
    RepositoryPaths.write(Array("ok\n".utf8), to: root + "/ok.log")
    let (consumer, diagnostics) = walk([root + "/missing.log", root + "/ok.log"])
    #expect(consumer.sources.count == 1)
    #expect(diagnostics.errors.count == 1)
    #expect(diagnostics.errors[0].source == root + "/missing.log")
    #expect(diagnostics.errors[0].message.contains("check the path"))
  }

  @Test func symlinkLoopsAndFIFOsInsideDirectoriesAreSkipped() {
    let root = RepositoryPaths.temporaryDirectory()
    mkdir(root + "/d", 0o755)
    symlink(root, root + "/d/loop")
    mkfifo(root + "/d/pipe", 0o644)
    RepositoryPaths.write(Array("ok\n".utf8), to: root + "/d/x.log")
    let (consumer, diagnostics) = walk([root])
    #expect(consumer.sources.count == 1)
    #expect(Set(diagnostics.warnings.map(\.kind)) == [.skippedSpecialFile])
    #expect(diagnostics.warnings.count == 2)
  }

  @Test func gzipInsideTarInsideGzipIsReadAsNamedMembers() {
    let root = RepositoryPaths.temporaryDirectory()
    let archive = Fixtures.tar([
      .init("logs/plain.log", "plain\n"),
      .init("logs/rotated.log.1.gz", Fixtures.gzip("inner gzip\n")),
    ])
    RepositoryPaths.write(Fixtures.gzip(archive), to: root + "/bundle.tgz")
    let (consumer, diagnostics) = walk([root + "/bundle.tgz"])
    #expect(consumer.sources.map(\.0.name) == [root + "/bundle.tgz:logs/plain.log", root + "/bundle.tgz:logs/rotated.log.1.gz"])
    #expect(consumer.sources.map(\.1) == [Array("plain\n".utf8), Array("inner gzip\n".utf8)])
    #expect(diagnostics.warnings.isEmpty)
  }

  @Test func contentIsSniffedNotNamed() {
    #expect(ContentKind.classify(prefix: Array("plain text pretending.gz".utf8)) == .text)
    #expect(ContentKind.classify(prefix: Fixtures.gzip("x")) == .gzip)
    #expect(ContentKind.classify(prefix: Fixtures.tar([.init("a", "b")])) == .tar)
    #expect(ContentKind.classify(prefix: [UInt8](repeating: 0, count: 9000)) == .text)
    #expect(ContentKind.classify(prefix: Array("caf\u{E9} na\u{EF}ve\n".utf8) + [0xFF, 0xFE]) == .text)
  }

  /// Random or compressed bytes (about 12% control bytes, most of the rest not UTF-8) are binary
  /// for every seed; Latin-1 and GBK logs, mostly not UTF-8 but without control bytes, are text.
  @Test func randomBytesAreBinaryAndOtherEncodingsAreText() {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    for seed in 0..<64 {
      state &+= UInt64(seed)
      let bytes: [UInt8] = (0..<4096).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return UInt8(truncatingIfNeeded: state >> 56)
      }
      guard case .binary = ContentKind.classify(prefix: bytes) else {
        Issue.record("random bytes of seed \(seed) were taken for text")
        continue
      }
    }
    let latin1: [UInt8] = Array("2025-11-03 10:00:00 ERROR Fehler beim ".utf8) + [0xD6, 0x66, 0x66, 0x6E, 0x65, 0x6E, 0x0A]
    #expect(ContentKind.classify(prefix: Array([[UInt8]](repeating: latin1, count: 50).joined())) == .text)
    let gbk: [UInt8] = [0xB4, 0xED, 0xCE, 0xF3, 0xA3, 0xBA, 0xC1, 0xAC, 0xBD, 0xD3, 0xB3, 0xAC, 0xCA, 0xB1, 0x0A]
    #expect(ContentKind.classify(prefix: Array([[UInt8]](repeating: gbk, count: 200).joined())) == .text)
  }
}

import Synchronization
import TriageAssembly
import TriageClassification
import TriageCorrelation
import TriageInput
import TriageSpans
import TriageTestSupport
import TriageUnwrapping

/// The fuzz targets: each feeds arbitrary bytes to one reader, exactly as the command-line
/// tool would, and must return without trapping, hanging or growing without bound.
///
/// The `triage-fuzz` executable calls ``run(_:)`` from libFuzzer (`Fuzz/run.sh`); the
/// regression test replays every input saved under `Tests/Fixtures/fuzz/<target>/` through
/// the same function, so a crash once found stays fixed.
public enum FuzzTarget: String, CaseIterable, Sendable {
  /// Sniffing, framing, unwrapping, assembly and classification: a file's bytes, end to end.
  case assembly
  /// The gzip reader: every member inflated to its end.
  case gzip
  /// The tar reader: every member read to its end.
  case tar
  /// The span-dump readers, each behind its own envelope so the bytes reach its decoder;
  /// then trace analysis (roots, cycles, where traces stopped).
  case spansJaeger = "spans-jaeger"
  case spansOTLP = "spans-otlp"
  case spansZipkin = "spans-zipkin"
  case spansTempo = "spans-tempo"
  /// A pattern file: YAML, its fields, its regexes compiled.
  case patterns
  /// The trace-id rules on one line of text.
  case traceIDs = "trace-ids"

  /// Runs the target on `bytes`.
  /// - Complexity: linear in `bytes` for every target (the readers' contract).
  public func run(_ bytes: UnsafeRawBufferPointer) {
    let input = Array(bytes)
    switch self {
    case .assembly:
      Self.classifier.withLock { classifier in
        var reader = EventReader()
        reader.readsAhead = false
        reader.maximumLineLength = 4096
        var sink = ClassifyingSink(inner: Discarding(), classifier: classifier)
        reader.read(stream: ChunkedByteStream(input, chunkSize: Self.chunkSize(input)), named: "fuzz", into: &sink)
      }
    case .gzip:
      let stream = GzipByteStream(ChunkedByteStream(input, chunkSize: Self.chunkSize(input)), source: "fuzz", diagnostics: InputDiagnostics(), chunkSize: 512)
      Self.drain(stream)
    case .tar:
      let reader = TarArchiveReader(ChunkedByteStream(input, chunkSize: Self.chunkSize(input)), source: "fuzz", diagnostics: InputDiagnostics())
      try? reader.forEachMember { _, member throws(InputError) in Self.drain(member) }
    case .spansJaeger: Self.readSpans(#"{"data":["#, input, "]}")
    case .spansOTLP: Self.readSpans(#"{"resourceSpans":["#, input, "]}")
    case .spansZipkin: Self.readSpans("[", input, "]")
    case .spansTempo: Self.readSpans(#"{"batches":["#, input, "]}")
    case .patterns:
      let text = String(decoding: input, as: UTF8.self)
      if let patterns = try? PatternLoader.load(yaml: text, file: "fuzz.yaml") {
        _ = try? PatternCatalog(patterns: patterns)
      }
    case .traceIDs:
      Self.extractor.withLock { extractor in
        input.withUnsafeBufferPointer { text in
          _ = extractor.traceID(in: text)
          _ = extractor.allMatches(in: text)
        }
      }
    }
  }

  /// The built-in catalog and a classifier on it, made once. The classifier and the extractor
  /// keep scratch state, so a run holds each for its duration: libFuzzer runs one input at a
  /// time, but the regression tests run targets concurrently.
  static let catalog: PatternCatalog = try! PatternCatalog.load()
  static let classifier = Mutex(Classifier(catalog: catalog))
  static let extractor = Mutex(TraceIDExtractor())

  /// Reads of 1 to 64 bytes chosen by the input itself, so chunk edges move with the bytes.
  static func chunkSize(_ input: [UInt8]) -> Int { Int(input.last ?? 0) % 64 + 1 }

  static func drain(_ stream: ByteStream) {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 16)
    defer { buffer.deallocate() }
    while let count = try? stream.read(into: buffer), count > 0 {}
  }

  static func readSpans(_ prefix: String, _ input: [UInt8], _ suffix: String) {
    let document = Array(prefix.utf8) + input + Array(suffix.utf8)
    let store = SpanStore()
    _ = try? SpanDumpReader(store: store).read(ChunkedByteStream(document, chunkSize: chunkSize(input)), source: "fuzz")
    _ = TraceAnalyzer().analyze(.init(store: store, evidence: TraceEvidenceTable(), findings: FindingStore(), serviceName: { _ in "" }))
  }
}

/// Drops every event.
struct Discarding: ClassifiedEventSink {
  mutating func begin(source: TextSource) {}
  mutating func consume(_ event: Event, findings: [Finding]) {}
  mutating func end(source: TextSource, statistics: SourceStatistics) {}
}

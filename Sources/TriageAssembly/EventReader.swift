import TriageInput
import TriageUnwrapping

/// Runs the first three stages over the user's paths: Input → Unwrapping → Assembly.
///
/// Each source is read in one streaming pass: framed into lines, unwrapped into records and
/// assembled into events, which go to the sink in input order. Nothing keeps every line;
/// memory is bounded by the framing cap and the assembly limits.
public struct EventReader {
  public var maximumLineLength = LineFramer.defaultMaximumLineLength
  public var limits = AssemblyLimits()
  /// Inflate gzip and drain pipes on a second thread.
  public var readsAhead = true
  /// Files never to read, as (device, inode): the run's own output file.
  public var excludedFiles: [(device: UInt64, inode: UInt64)] = []
  /// The year assumed for timestamps that have none (syslog, journald default output).
  public var assumedYear = Timestamp.now.year
  /// Interned service names for everything this reader produced.
  public let services = ServiceTable()
  public let diagnostics = InputDiagnostics()

  public init() {}

  /// Reads every source under `paths` (`-` is standard input) into `sink`.
  /// Problems with one source are recorded in ``diagnostics``; the others are still read.
  public func read<Sink: EventSink>(paths: [String], into sink: inout Sink) {
    var walker = SourceWalker(diagnostics: diagnostics)
    walker.readsAhead = readsAhead
    walker.excludedFiles = excludedFiles
    var pipeline = SourcePipeline(
      sink: sink, services: services, diagnostics: diagnostics, framer: LineFramer(maximumLineLength: maximumLineLength),
      limits: limits, year: assumedYear
    )
    walker.walk(paths: paths, into: &pipeline)
    sink = pipeline.sink
  }

  /// Reads one stream as a source named `name`, sniffed like a file: gzip is inflated, tar
  /// members become sources of their own (used by tests and by callers with bytes in hand).
  public func read<Sink: EventSink>(stream: ByteStream, named name: String, into sink: inout Sink) {
    var walker = SourceWalker(diagnostics: diagnostics)
    walker.readsAhead = readsAhead
    var pipeline = SourcePipeline(
      sink: sink, services: services, diagnostics: diagnostics, framer: LineFramer(maximumLineLength: maximumLineLength),
      limits: limits, year: assumedYear
    )
    walker.walk(stream: stream, named: name, into: &pipeline)
    sink = pipeline.sink
  }
}

/// Frames, unwraps and assembles one source at a time.
struct SourcePipeline<Sink: EventSink>: TextSourceConsumer {
  var sink: Sink
  let services: ServiceTable
  let diagnostics: InputDiagnostics
  let framer: LineFramer
  let limits: AssemblyLimits
  let year: Int

  mutating func consume(_ source: TextSource, stream: ByteStream) throws(InputError) {
    sink.begin(source: source)
    var lines = LineStage(
      unwrapper: RecordUnwrapper(sourceName: source.name, services: services, maximumJoinedLength: framer.maximumLineLength),
      assembler: EventAssembler(limits: limits, assumingYear: year), sink: sink
    )
    var failure: InputError?
    var framing = FramingCounts()
    do {
      try framer.frame(stream, into: &lines, counts: &framing)
    } catch {
      failure = error
    }
    lines.finish()
    sink = lines.sink
    var statistics = lines.assembler.statistics
    statistics.framing = framing
    if framing.cutLines > 0 {
      diagnostics.warn(
        source: source.name, kind: .cutLines,
        "\(framing.cutLines) line(s) longer than \(framer.maximumLineLength) bytes were cut at that length (\(framing.cutBytes) bytes dropped)."
      )
    }
    if lines.unwrapper.cutJoinedRecords > 0 {
      diagnostics.warn(
        source: source.name, kind: .cutLines,
        "\(lines.unwrapper.cutJoinedRecords) record(s) joined from docker or CRI parts grew past \(framer.maximumLineLength) bytes and were cut at that length."
      )
    }
    if statistics.truncatedEvents > 0 {
      diagnostics.warn(
        source: source.name, kind: .truncatedEvents,
        "\(statistics.truncatedEvents) event(s) reached the cap of \(limits.maximumLines) lines or \(limits.maximumBytes) bytes; their further lines were counted, not kept."
      )
    }
    sink.end(source: source, statistics: statistics)
    if let failure { throw failure }
  }
}

/// The per-line part of the pipeline: unwrap, then assemble.
struct LineStage<Sink: EventSink>: LineSink {
  var unwrapper: RecordUnwrapper
  let assembler: EventAssembler
  var sink: Sink

  mutating func consume(line: UnsafeBufferPointer<UInt8>, number: Int, wasCut: Bool) {
    if let record = unwrapper.unwrap(line: line, number: number, wasCut: wasCut) {
      assembler.consume(record, into: &sink)
    }
  }

  mutating func finish() {
    let assembler = self.assembler
    var sink = self.sink
    unwrapper.finish { record in assembler.consume(record, into: &sink) }
    assembler.finish(into: &sink)
    self.sink = sink
  }
}

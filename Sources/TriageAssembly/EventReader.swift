import TriageInput
import TriageSpans
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
  /// Counts what is read, for a progress display.
  public var progress: ProgressMeter?
  /// The year assumed for timestamps that have none (syslog, journald default output).
  public var assumedYear = Timestamp.now.year
  /// Interned service names for everything this reader produced.
  public let services = ServiceTable()
  /// The spans of every span dump among the sources (recognised by content).
  public let spans = SpanStore()
  public let diagnostics = InputDiagnostics()

  public init() {}

  /// Reads every source under `paths` (`-` is standard input) into `sink`.
  /// Problems with one source are recorded in ``diagnostics``; the others are still read.
  public func read<Sink: EventSink>(paths: [String], into sink: inout Sink) {
    var walker = SourceWalker(diagnostics: diagnostics)
    walker.readsAhead = readsAhead
    walker.excludedFiles = excludedFiles
    walker.progress = progress
    var pipeline = SourcePipeline(
      sink: sink, services: services, spans: spans, diagnostics: diagnostics,
      framer: LineFramer(maximumLineLength: maximumLineLength), limits: limits, year: assumedYear
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
      sink: sink, services: services, spans: spans, diagnostics: diagnostics,
      framer: LineFramer(maximumLineLength: maximumLineLength), limits: limits, year: assumedYear
    )
    walker.walk(stream: stream, named: name, into: &pipeline)
    sink = pipeline.sink
  }
}

/// Frames, unwraps and assembles one source at a time; span dumps go to the span reader.
struct SourcePipeline<Sink: EventSink>: TextSourceConsumer {
  var sink: Sink
  let services: ServiceTable
  let spans: SpanStore
  let diagnostics: InputDiagnostics
  let framer: LineFramer
  let limits: AssemblyLimits
  let year: Int
  /// Trace ids in log text; one per pipeline (it keeps match state), made on first use.
  var traceIDs: TraceIDExtractor?

  init(
    sink: Sink, services: ServiceTable, spans: SpanStore, diagnostics: InputDiagnostics, framer: LineFramer, limits: AssemblyLimits,
    year: Int
  ) {
    self.sink = sink
    self.services = services
    self.spans = spans
    self.diagnostics = diagnostics
    self.framer = framer
    self.limits = limits
    self.year = year
  }

  mutating func consume(_ source: TextSource, stream: ByteStream) throws(InputError) {
    let peeked = try PeekableByteStream(stream, peeking: 16 << 10)
    let isDump = peeked.prefix.withUnsafeBufferPointer { SpanDumpReader.isSpanDump(prefix: $0) }
    if isDump {
      try consumeDump(source, stream: peeked)
      return
    }
    sink.begin(source: source)
    if traceIDs == nil { traceIDs = TraceIDExtractor() }
    var lines = LineStage(
      unwrapper: RecordUnwrapper(sourceName: source.name, services: services, maximumJoinedLength: framer.maximumLineLength),
      assembler: EventAssembler(limits: limits, assumingYear: sourceYear(source)), traceIDs: traceIDs!, sink: sink
    )
    var failure: InputError?
    var framing = FramingCounts()
    do {
      try framer.frame(peeked, into: &lines, counts: &framing)
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
    if statistics.assumedYear {
      let why = source.modified == nil ? "the current year" : "the year the file was last modified"
      diagnostics.warn(
        source: source.name, kind: .assumedYear,
        "timestamps here have no year (syslog, journald's default format); \(sourceYear(source)) was assumed: \(why).")
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

  /// The year for timestamps without one: the file's modification year, else the reader's.
  func sourceYear(_ source: TextSource) -> Int {
    source.modified.map { Timestamp(millisecondsSinceEpoch: $0 * 1000).year } ?? year
  }

  /// Reads a span dump: spans into the store, OTLP log records to the sink as events (one
  /// event per record; its text is the record's body).
  mutating func consumeDump(_ source: TextSource, stream: ByteStream) throws(InputError) {
    self.sink.begin(source: source)
    var statistics = SourceStatistics()
    var sink = self.sink
    let services = self.services
    var number = 0
    var dump = SpanDumpReader.Statistics()
    var failure: InputError?
    do throws(InputError) {
      dump = try SpanDumpReader(store: spans).read(stream, source: source.name) { record in
        number += 1
        var event = Event(text: UnsafeBufferPointer(start: nil, count: 0), lineNumber: number, lineCount: 0, layers: [.otlpLogs])
        event.service = record.service.map { services.intern($0) }
        event.time = record.time
        event.level = record.level
        event.traceID = record.traceID
        if let service = event.service { statistics.services.insert(service) }
        if let time = record.time {
          statistics.firstTime = min(statistics.firstTime ?? time, time)
          statistics.lastTime = max(statistics.lastTime ?? time, time)
        }
        var text = record.text
        text.withUTF8 { bytes in
          event.text = bytes
          sink.consume(event)
        }
      }
    } catch {
      failure = error
    }
    statistics.framing.bytes = dump.bytes
    statistics.framing.lines = dump.lines
    statistics.skippedLines.dump = dump.lines
    statistics.records = dump.logRecords
    statistics.events = dump.logRecords
    statistics.spans = dump.spans
    if dump.logRecords > 0 { statistics.formats[.otlpLogs] = dump.logRecords }
    for warning in dump.warnings.prefix(5) {
      diagnostics.warn(source: source.name, kind: .malformedDump, "span dump: \(warning)")
    }
    let problems = max(dump.skippedUnits, dump.warnings.count)
    if problems > 5 {
      diagnostics.warn(source: source.name, kind: .malformedDump, "span dump: \(problems - 5) more unit(s) could not be read.")
    }
    if dump.units > 0 && dump.spans == 0 && dump.logRecords == 0 && dump.summaries == 0 {
      diagnostics.warn(source: source.name, kind: .malformedDump, "looks like a span dump but held no span, log record or trace summary that could be read.")
    }
    sink.end(source: source, statistics: statistics)
    self.sink = sink
    if let failure { throw failure }
  }
}

/// The per-line part of the pipeline: unwrap, find trace ids in text, then assemble.
struct LineStage<Sink: EventSink>: LineSink {
  var unwrapper: RecordUnwrapper
  let assembler: EventAssembler
  let traceIDs: TraceIDExtractor
  var sink: Sink

  mutating func consume(line: UnsafeBufferPointer<UInt8>, number: Int, wasCut: Bool) {
    if var record = unwrapper.unwrap(line: line, number: number, wasCut: wasCut) {
      if record.traceID == nil { record.traceID = traceIDs.traceID(in: record.payload) }
      assembler.consume(record, into: &sink)
    }
  }

  mutating func finish() {
    let assembler = self.assembler
    let traceIDs = self.traceIDs
    var sink = self.sink
    unwrapper.finish { record in
      var record = record
      if record.traceID == nil { record.traceID = traceIDs.traceID(in: record.payload) }
      assembler.consume(record, into: &sink)
    }
    assembler.finish(into: &sink)
    self.sink = sink
  }
}

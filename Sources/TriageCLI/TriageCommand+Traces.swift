import ArgumentParser
import TriageAssembly
import TriageClassification
import TriageCorrelation
import TriageInput
import TriageReporting
import TriageSpans
import TriageUnwrapping

extension TriageCommand {
  /// `triage traces`: traces found in span dumps and logs, their health, and where the
  /// incomplete ones stopped.
  struct Traces: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List the traces in span dumps and logs: their health, where incomplete ones stopped, and the crash that ended them.",
      discussion: """
        Span dumps (Jaeger, OTLP, Zipkin, Tempo JSON; recognised by content) go next to the logs: \
        triage traces logs/ traces.json. Each trace is ok, error or incomplete (a span whose parent \
        never ended, no root, a client call to a traced service that no server answered, a span \
        that never ended); incomplete traces are grouped by the span they stopped at and tied to \
        the crash of that service. --id shows one trace as a waterfall with its log events.
        """
    )

    @OptionGroup(title: "Input") var input: InputOptions
    @OptionGroup(title: "Output") var output: OutputOptions
    @OptionGroup(title: "Filters") var filters: FilterOptions

    @Option(help: "Output format.")
    var format: EventFormat = .text

    @Option(name: .customLong("id"), help: "Show one trace (32 or 16 hex digits) as a waterfall with its log events.")
    var traceID: String?

    @Option(help: "In text output, list at most this many traces per status.")
    var limit = 20

    @Flag(name: .customLong("no-redact"), help: "Keep secrets (tokens, JWTs, passwords in URLs, keys) in log and span text; they are redacted by default.")
    var noRedact = false

    @Option(
      name: .customLong("patterns"),
      help: "A directory of pattern files (*.yaml) to add to the built-in catalog, or to replace built-ins by id. Repeatable.",
      completion: .directory)
    var patternDirectories: [String] = []

    func validate() throws {
      if let traceID, parsedTraceID(traceID) == nil {
        throw ValidationError("--id takes a trace id of 1 to 32 hex digits, e.g. 4bf92f3577b34da6a3ce929d0e0e4736.")
      }
      guard limit >= 1 else { throw ValidationError("--limit must be at least 1.") }
    }

    func parsedTraceID(_ text: String) -> TraceID? {
      var bytes = Array(text.utf8)
      return bytes.withUnsafeMutableBufferPointer { TraceID(hex: UnsafeBufferPointer($0)) }
    }

    func run() throws {
      let paths = try input.resolvedPaths()
      let filter = try filters.filter()
      let classifier = Classifier(catalog: try PatternOptions.catalog(directories: patternDirectories))
      let setup = try AnalysisSetup(input: input, output: output)
      let reader = setup.reader
      let writer = setup.writer
      let wanted = traceID.flatMap(parsedTraceID)
      let collector = TraceEventCollector(wanted: wanted, services: reader.services)
      let index = Events.read(paths, with: reader, classifier: classifier, filter: filter, into: TraceLogIndex(inner: collector, services: reader.services))

      let services = reader.services
      let analyzer = TraceAnalyzer()
      var traces = analyzer.analyze(
        .init(store: reader.spans, evidence: index.traces, findings: index.findings, serviceName: { services.name($0) }))
      // Seen over every trace: a filter must not hide the traces that continued the caller.
      let contextBreaks = TraceContextBreak.find(in: traces, store: reader.spans)
      // Filtered in place, and only when asked: a second array of every trace costs memory.
      if !filter.isEmpty { traces.removeAll { !filter.admits($0) } }
      var report = TraceReport(traces: traces, store: reader.spans, findings: index.findings, serviceName: { services.name($0) })
      report.contextBreaks = contextBreaks

      if let wanted {
        let matches = traces.filter { $0.traceID.matches(wanted) }
        guard let trace = matches.first else {
          printError("triage: trace \(wanted) is in none of the inputs (no span and no log event carries it).")
          throw ExitCode(1)
        }
        switch format {
        case .text:
          let text = report.renderWaterfall(trace, logs: index.inner.lines)
          writer.write(TextEncoding.terminalText(noRedact ? text : Redactor().redact(text)))
        case .json:
          TraceReport(traces: [trace], store: reader.spans, findings: index.findings, serviceName: { services.name($0) })
            .writeJSON(to: writer)
        }
      } else {
        switch format {
        case .text:
          let text = report.renderText(limit: limit)
          writer.write(TextEncoding.terminalText(noRedact ? text : Redactor().redact(text)))
        case .json: report.writeJSON(to: writer)
        }
      }
      writer.flush()
      if index.unindexedEvents > 0 {
        printError("triage: warning: more than \(index.maximumTraces) trace ids in the logs; \(index.unindexedEvents) event(s) with other ids were not joined.")
      }
      try setup.finish(catalog: classifier.catalog)
    }
  }
}

/// Keeps the log events of one trace (for the waterfall), at most 1,000.
struct TraceEventCollector: ClassifiedEventSink {
  let wanted: TraceID?
  let services: ServiceTable
  var lines: [TraceReport.LogLine] = []

  mutating func begin(source: TextSource) {}

  mutating func consume(_ event: Event, findings: [Finding]) {
    guard let wanted, let id = event.traceID, id.lowerHalf == wanted.lowerHalf, lines.count < 1000 else { return }
    var text = String(decoding: event.text.firstLine(atMost: 200), as: UTF8.self)
    if let finding = findings.first { text += "  [\(finding.category.rawValue): \(finding.signature)]" }
    lines.append(.init(time: event.time, service: event.service.map { services.name($0) } ?? "?", level: event.level, text: text))
  }

  mutating func end(source: TextSource, statistics: SourceStatistics) {}
}

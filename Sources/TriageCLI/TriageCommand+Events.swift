import ArgumentParser
import TriageAssembly
import TriageClassification
import TriageInput
import TriageReporting
import TriageUnwrapping

extension TriageCommand {
  /// `triage events`: the assembled events after unwrapping (the parser's view).
  struct Events: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show the events inside the input: transport wrappings removed, each stack trace as one event.",
      discussion: """
        --format json writes one JSON object per event (NDJSON). --stats writes, per source, \
        the formats detected, lines, events, services and time range instead of the events.
        """
    )

    @OptionGroup(title: "Input") var input: InputOptions
    @OptionGroup(title: "Output") var output: OutputOptions
    @OptionGroup(title: "Filters") var filters: FilterOptions

    @Option(help: "Output format.")
    var format: EventFormat = .text

    @Flag(help: "Print per-source statistics instead of the events.")
    var stats = false

    @OptionGroup(title: "Crash signatures") var signatures: PatternOptions

    func run() throws {
      let paths = try input.resolvedPaths()
      let filter = try filters.filter()
      let classifier = try signatures.makeClassifier()
      let setup = try AnalysisSetup(input: input, output: output)
      let reader = setup.reader
      let writer = setup.writer
      let usesColor = output.color == .always || (output.color == .auto && writer.isTerminal)

      if stats {
        let report = Self.read(paths, with: reader, classifier: classifier, filter: filter, into: StatisticsReport(services: reader.services))
        let warnings = reader.diagnostics.warnings
        let errors = reader.diagnostics.errors
        switch format {
        case .text: writer.write(report.renderText(warnings: warnings, errors: errors))
        case .json: writer.write(report.renderJSON(warnings: warnings, errors: errors))
        }
        writer.flush()
        for error in errors { printError("triage: error: \(error)") }
        for warning in classifier?.catalog.overrunWarnings ?? [] { printError("triage: warning: \(warning)") }
      } else {
        switch format {
        case .json:
          _ = Self.read(paths, with: reader, classifier: classifier, filter: filter, into: EventJSONWriter(output: writer, services: reader.services))
        case .text:
          _ = Self.read(
            paths, with: reader, classifier: classifier, filter: filter,
            into: EventTextWriter(output: writer, services: reader.services, usesColor: usesColor))
        }
        writer.flush()
        try setup.finish(catalog: classifier?.catalog)
      }
      if !reader.diagnostics.errors.isEmpty { throw ExitCode(2) }
    }

    /// Reads `paths` into `sink`: classification runs on worker threads beside parsing (see
    /// ``ConcurrentClassifyingSink``); without a classifier the events go straight to the sink.
    /// Without a filter the reader feeds the classifying sink directly: a filtering layer costs
    /// about 3% of `--stats` even when it lets everything through.
    static func read<Sink: ClassifiedEventSink>(
      _ paths: [String], with reader: EventReader, classifier: Classifier?, filter: EventFilter, into sink: Sink
    ) -> Sink {
      if let classifier {
        let concurrent = ConcurrentClassifyingSink(inner: sink, classifier: classifier)
        if filter.isEmpty {
          var unfiltered = concurrent
          reader.read(paths: paths, into: &unfiltered)
          return unfiltered.finish()
        }
        var filtered = FilteringSink(inner: concurrent, filter: filter, services: reader.services)
        reader.read(paths: paths, into: &filtered)
        return filtered.inner.finish()
      }
      let plain = ClassifyingSink(inner: sink, classifier: nil)
      if filter.isEmpty {
        var unfiltered = plain
        reader.read(paths: paths, into: &unfiltered)
        return unfiltered.inner
      }
      var filtered = FilteringSink(inner: plain, filter: filter, services: reader.services)
      reader.read(paths: paths, into: &filtered)
      return filtered.inner.inner
    }
  }
}

/// Writes a line to standard error, unbuffered.
func printError(_ message: String) {
  let line = message + "\n"
  _ = line.withCString { write(2, $0, strlen($0)) }
}

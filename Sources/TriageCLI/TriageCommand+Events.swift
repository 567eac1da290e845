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

    @Option(help: "Output format.")
    var format: EventFormat = .text

    @Flag(help: "Print per-source statistics instead of the events.")
    var stats = false

    @OptionGroup(title: "Crash signatures") var signatures: PatternOptions

    func run() throws {
      let paths = try input.resolvedPaths()
      let classifier = try signatures.makeClassifier()
      var reader = EventReader()
      reader.maximumLineLength = input.maximumLineLength
      let writer: OutputWriter
      do {
        writer = try output.outputPath.map { path throws(InputError) in try OutputWriter(path: path) } ?? OutputWriter()
      } catch {
        printError("triage: \(error)")
        throw ExitCode(2)
      }
      let usesColor = output.color == .always || (output.color == .auto && writer.isTerminal)
      if let identity = writer.fileIdentity { reader.excludedFiles = [identity] }

      if stats {
        var sink = ClassifyingSink(inner: StatisticsReport(services: reader.services), classifier: classifier)
        reader.read(paths: paths, into: &sink)
        let report = sink.inner
        let warnings = reader.diagnostics.warnings
        let errors = reader.diagnostics.errors
        switch format {
        case .text: writer.write(report.renderText(warnings: warnings, errors: errors))
        case .json: writer.write(report.renderJSON(warnings: warnings, errors: errors))
        }
        writer.flush()
        for error in errors { printError("triage: error: \(error)") }
      } else {
        switch format {
        case .json:
          var sink = ClassifyingSink(inner: EventJSONWriter(output: writer, services: reader.services), classifier: classifier)
          reader.read(paths: paths, into: &sink)
        case .text:
          var sink = ClassifyingSink(
            inner: EventTextWriter(output: writer, services: reader.services, usesColor: usesColor), classifier: classifier)
          reader.read(paths: paths, into: &sink)
        }
        writer.flush()
        for warning in reader.diagnostics.warnings { printError("triage: warning: \(warning)") }
        for error in reader.diagnostics.errors { printError("triage: error: \(error)") }
      }
      if !reader.diagnostics.errors.isEmpty { throw ExitCode(2) }
    }
  }
}

/// Writes a line to standard error, unbuffered.
func printError(_ message: String) {
  let line = message + "\n"
  _ = line.withCString { write(2, $0, strlen($0)) }
}

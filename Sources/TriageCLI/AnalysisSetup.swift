import ArgumentParser
import TriageAssembly
import TriageClassification
import TriageInput
import TriageReporting

/// What every analysing command sets up the same way: the reader (with the line cap, and the
/// run's own output file kept out of its input) and the writer; and how it ends: warnings,
/// errors and pattern overruns on stderr, status 2 when an input could not be read.
struct AnalysisSetup {
  var reader: EventReader
  let writer: OutputWriter

  init(input: InputOptions, output: OutputOptions) throws {
    reader = EventReader()
    reader.maximumLineLength = input.maximumLineLength
    do {
      writer = try output.outputPath.map { path throws(InputError) in try OutputWriter(path: path) } ?? OutputWriter()
    } catch {
      printError("triage: \(error)")
      throw ExitCode(2)
    }
    if let identity = writer.fileIdentity { reader.excludedFiles = [identity] }
  }

  /// Prints what the run could not read or do; throws status 2 when an input failed.
  func finish(catalog: PatternCatalog?) throws {
    for warning in reader.diagnostics.warnings { printError("triage: warning: \(warning)") }
    for error in reader.diagnostics.errors { printError("triage: error: \(error)") }
    for warning in catalog?.overrunWarnings ?? [] { printError("triage: warning: \(warning)") }
    if !reader.diagnostics.errors.isEmpty { throw ExitCode(2) }
  }
}

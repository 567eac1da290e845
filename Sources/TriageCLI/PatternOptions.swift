import ArgumentParser
import TriageClassification

/// The crash-signature catalog in force.
struct PatternOptions: ParsableArguments {
  @Option(
    name: .customLong("patterns"),
    help: "A directory of pattern files (*.yaml) to add to the built-in catalog, or to replace built-ins by id. Repeatable.",
    completion: .directory)
  var directories: [String] = []

  @Flag(
    name: .customLong("classify"),
    help: "Check each event against the crash signatures and show its findings (implied by --patterns).")
  var classifies = false

  /// Loads the catalog; a broken pattern file stops the run before any input is read.
  func makeCatalog() throws -> PatternCatalog { try Self.catalog(directories: directories) }

  /// The built-in catalog plus the pattern files in `directories`; a broken file is reported
  /// on stderr (file, line, reason) and ends the run with status 2.
  static func catalog(directories: [String]) throws -> PatternCatalog {
    do {
      return try PatternCatalog.load(userDirectories: directories)
    } catch {
      printError("triage: pattern error: \(error)")
      throw ExitCode(2)
    }
  }

  /// The classifier, or nil unless `--classify` or `--patterns` asks for one.
  func makeClassifier() throws -> Classifier? {
    classifies || !directories.isEmpty ? Classifier(catalog: try makeCatalog()) : nil
  }
}

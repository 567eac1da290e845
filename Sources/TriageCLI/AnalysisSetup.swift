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

  /// Shows progress on standard error while the run reads: when asked, or on a terminal when
  /// the inputs (regular files, directories walked for their sizes) hold 100 MB or more.
  mutating func showProgress(for paths: [String], requested: Bool) {
    let terminal = isatty(2) != 0
    // Sizing walks the inputs: only when progress may be shown.
    guard requested || terminal else { return }
    let total = Self.totalSize(paths)
    guard requested || (total ?? 0) >= 100_000_000 else { return }
    let meter = ProgressMeter(total: total)
    reader.progress = meter
    meter.start(terminal: terminal)
    progress = meter
  }

  private(set) var progress: ProgressMeter?

  /// The size of the regular files under `paths`; nil when standard input is among them.
  static func totalSize(_ paths: [String]) -> Int? {
    var total = 0
    for path in paths {
      if path == TextSource.standardInputName { return nil }
      var info = stat()
      guard stat(path, &info) == 0 else { continue }
      if info.st_mode & S_IFMT == S_IFREG {
        total += Int(info.st_size)
      } else if info.st_mode & S_IFMT == S_IFDIR, let names = Self.entries(path) {
        total += totalSize(names.map { path + "/" + $0 }) ?? 0
      }
    }
    return total
  }

  static func entries(_ directory: String) -> [String]? {
    guard let handle = opendir(directory) else { return nil }
    defer { closedir(handle) }
    var names: [String] = []
    while let entry = readdir(handle) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
      if name != "." && name != ".." { names.append(name) }
    }
    return names
  }

  /// Prints what the run could not read or do; throws status 2 when an input failed.
  func finish(catalog: PatternCatalog?) throws {
    progress?.stop()
    for warning in reader.diagnostics.warnings { printError("triage: warning: \(warning)") }
    for error in reader.diagnostics.errors { printError("triage: error: \(error)") }
    for warning in catalog?.overrunWarnings ?? [] { printError("triage: warning: \(warning)") }
    if !reader.diagnostics.errors.isEmpty { throw ExitCode(2) }
  }
}

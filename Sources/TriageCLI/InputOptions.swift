import ArgumentParser
import TriageInput

/// The inputs every analysing command takes.
struct InputOptions: ParsableArguments {
  @Argument(
    help: ArgumentHelp(
      "Files, directories (read recursively), gzip files or tar archives; '-' reads standard input.",
      discussion: "With no path, standard input is read when it is a pipe."
    ),
    completion: .file()
  )
  var paths: [String] = []

  @Option(name: .customLong("max-line-length"), help: "Cut lines longer than this many bytes (the rest is counted, not kept).")
  var maximumLineLength: Int = LineFramer.defaultMaximumLineLength

  /// The paths to read: the given ones, or standard input when none is given and it is piped.
  /// - Throws: a `ValidationError` when there is nothing to read.
  func resolvedPaths() throws -> [String] {
    if !paths.isEmpty { return paths }
    if isatty(0) == 0 { return [TextSource.standardInputName] }
    throw ValidationError(
      "No input. Give a file or directory (triage events logs/), or pipe logs in (docker logs worker 2>&1 | triage events)."
    )
  }

  func validate() throws {
    guard maximumLineLength >= 1024 else {
      throw ValidationError("--max-line-length must be at least 1024 bytes.")
    }
    guard maximumLineLength <= 1 << 30 else {
      throw ValidationError("--max-line-length must be at most 1073741824 bytes (1 GiB).")
    }
  }
}

/// How output is written.
struct OutputOptions: ParsableArguments {
  @Option(name: [.short, .customLong("output")], help: "Write to this file instead of standard output.", completion: .file())
  var outputPath: String?

  @Option(help: "Colour in text output.")
  var color: ColorChoice = .auto
}

enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
  case auto, always, never
}

enum EventFormat: String, ExpressibleByArgument, CaseIterable {
  case text, json
}

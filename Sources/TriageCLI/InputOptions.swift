import ArgumentParser
import TriageAssembly
import TriageCorrelation
import TriageInput
import TriageUnwrapping

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

/// `--since`, `--until`, `--service`: which events a run keeps.
struct FilterOptions: ParsableArguments {
  @Option(help: "Keep events at or after this time: RFC 3339 (2025-11-03T10:00:00Z) or an age (30m, 2h, 1d).")
  var since: String?

  @Option(help: "Keep events at or before this time: RFC 3339 or an age (30m, 2h, 1d).")
  var until: String?

  @Option(name: .customLong("service"), help: "Keep only this service and its replicas (worker keeps worker-1). Repeatable.")
  var services: [String] = []

  /// The filter, relative ages taken from `now`.
  func filter(now: Timestamp = .now) throws -> EventFilter {
    EventFilter(since: try since.map { try Self.time($0, now: now) }, until: try until.map { try Self.time($0, now: now) }, services: services)
  }

  static func time(_ text: String, now: Timestamp) throws -> Timestamp {
    let units: [Character: Int64] = ["s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000]
    if let unit = text.last, let scale = units[unit], let amount = Int64(text.dropLast()), amount >= 0 {
      return Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch - amount * scale)
    }
    var bytes = Array(text.utf8)
    let parsed = bytes.withUnsafeMutableBufferPointer { buffer -> Timestamp? in
      let view = UnsafeBufferPointer(buffer)
      guard view.looksLikeISODateTime(at: 0), let (time, end) = view.timestamp(.iso, at: 0, year: now.year), end == view.count else { return nil }
      return time
    }
    guard let parsed else {
      throw ValidationError("'\(text)' is not a time: give RFC 3339 (2025-11-03T10:00:00Z) or an age such as 30m, 2h or 1d.")
    }
    return parsed
  }

  func validate() throws { _ = try filter() }
}

extension EventFilter {
  /// Whether a trace lies (at least partly) in the window and touches a kept service.
  func admits(_ trace: TraceAnalysis) -> Bool {
    if let since, let end = trace.end ?? trace.start, end / 1_000_000 < since.millisecondsSinceEpoch { return false }
    if let until, let start = trace.start, start / 1_000_000 > until.millisecondsSinceEpoch { return false }
    return services.isEmpty || trace.services.contains { admits(time: nil, service: $0) }
  }
}

import Testing
import TriageAssembly
import TriageInput
import TriageUnwrapping

/// An event copied out of the pipeline, with names resolved, for assertions.
public struct CollectedEvent: Equatable, CustomStringConvertible {
  public var source: String
  public var text: String
  public var lineNumber: Int
  public var lineCount: Int
  public var service: String?
  public var stream: String?
  public var time: String?
  public var level: LogLevel?
  public var format: String
  public var language: TraceLanguage?
  public var traceID: String?
  public var isTruncated: Bool

  public var description: String { "\(source):\(lineNumber) [\(format)] \(lineCount) lines: \(text.prefix(80))" }
}

/// Keeps every event and every source's statistics.
public struct CollectingSink: EventSink {
  public let services: ServiceTable
  public private(set) var events: [CollectedEvent] = []
  public private(set) var statistics: [(source: TextSource, statistics: SourceStatistics)] = []
  private var current = ""

  public init(services: ServiceTable) { self.services = services }

  public mutating func begin(source: TextSource) { current = source.name }

  public mutating func consume(_ event: Event) {
    events.append(
      CollectedEvent(
        source: current, text: event.text.string, lineNumber: event.lineNumber, lineCount: event.lineCount,
        service: event.service.map { services.name($0) }, stream: event.stream?.name, time: event.time?.description,
        level: event.level, format: event.formatName, language: event.language, traceID: event.traceID?.description,
        isTruncated: event.isTruncated))
  }

  public mutating func end(source: TextSource, statistics: SourceStatistics) {
    self.statistics.append((source, statistics))
  }
}

/// Runs the pipeline over bytes in memory.
public struct PipelineRun {
  public let events: [CollectedEvent]
  public let statistics: [(source: TextSource, statistics: SourceStatistics)]
  public let diagnostics: InputDiagnostics

  /// Frames, unwraps and assembles `bytes` as one source.
  public init(_ bytes: [UInt8], name: String = "captured.txt", chunkSize: Int = .max, configure: (inout EventReader) -> Void = { _ in }) {
    var reader = EventReader()
    configure(&reader)
    var sink = CollectingSink(services: reader.services)
    reader.read(stream: ChunkedByteStream(bytes, chunkSize: chunkSize), named: name, into: &sink)
    events = sink.events
    statistics = sink.statistics
    diagnostics = reader.diagnostics
    checkAccounting()
  }

  public init(_ text: String, name: String = "captured.txt", chunkSize: Int = .max, configure: (inout EventReader) -> Void = { _ in }) {
    self.init(Array(text.utf8), name: name, chunkSize: chunkSize, configure: configure)
  }

  /// Reads real paths (files, directories, archives) through the source walker.
  public init(paths: [String], configure: (inout EventReader) -> Void = { _ in }) {
    var reader = EventReader()
    configure(&reader)
    var sink = CollectingSink(services: reader.services)
    reader.read(paths: paths, into: &sink)
    events = sink.events
    statistics = sink.statistics
    diagnostics = reader.diagnostics
    checkAccounting()
  }

  /// The accounting rule holds on every test input: each physical line is in an event's
  /// `lineCount` or counted as skipped, and the events' line counts add up to it.
  private func checkAccounting() {
    for (source, statistics) in statistics {
      if !statistics.isBalanced {
        Issue.record("\(source.name): \(statistics.framing.lines) lines read, \(statistics.eventLines) in events + \(statistics.skippedLines.total) skipped")
      }
    }
    let perSource = Dictionary(grouping: events, by: \.source).mapValues { $0.reduce(0) { $0 + $1.lineCount } }
    for (source, statistics) in statistics where perSource[source.name, default: 0] != statistics.eventLines {
      Issue.record("\(source.name): events' line counts add up to \(perSource[source.name, default: 0]), statistics say \(statistics.eventLines)")
    }
  }

  /// Whether every source's lines are accounted for (events + skipped = physical lines).
  public var isBalanced: Bool { statistics.allSatisfy { $0.statistics.isBalanced } }
}

import TriageInput
import TriageUnwrapping

/// Limits that keep one event's memory bounded.
public struct AssemblyLimits: Sendable {
  /// Physical lines kept per event; later lines are counted, not kept.
  public var maximumLines = 1000
  /// Bytes of text kept per event.
  public var maximumBytes = 256 * 1024
  /// An open event whose stream has been silent for this many physical lines of the source is
  /// closed, so one quiet stream cannot hold back the others' output for long.
  public var maximumSilence = 1000
  /// Bytes of other streams' events that may wait behind an open event before it is closed.
  public var maximumWaitingBytes = 8 << 20

  public init() {}
}

/// Joins the records of one source into events, one assembler state per stream.
///
/// A stream is a compose service, a pod/container, a journald identifier and pid, or stdout vs
/// stderr: interleaved streams never mix. For each stream:
/// - a line that starts a trace by itself (`Traceback …`, `panic: …`) opens a multi-line event;
/// - a line that may be a trace's first line (an error-level line, `…Exception: msg`, a Rails or
///   classic Ruby header, a PHP fatal, Node's `/app/x.js:42`) is held until the stream's next
///   line says whether a trace follows; an error line right before a trace becomes its header;
/// - every other line is an event of its own;
/// - a line that breaks an open trace ends it and is then tested afresh.
///
/// Events come out in the order of their first line, whatever the streams do: while one stream
/// holds an open event, later events of other streams wait (copied) behind it. Blank lines
/// outside events, and trailing ones of an event, are counted as skipped.
///
/// - Complexity: O(line length) per record; memory is bounded by the limits (per open stream,
///   `maximumBytes`; waiting events, `maximumSilence` lines' worth).
public final class EventAssembler {
  private let limits: AssemblyLimits
  private let year: Int
  public private(set) var statistics = SourceStatistics()

  /// Streams seen so far: a linear search over the first few (a capture has a handful, and
  /// this beats hashing), a dictionary past them (journald or syslog with a pid per line).
  private var streamKeys: [Int64] = []
  private var streamSlots: [StreamSlot] = []
  private var moreStreams: [Int64: StreamSlot] = [:]
  private static let linearStreams = 16
  private static let streamTableLimit = 4096
  private var lastKey: Int64 = .min
  /// The slot of `lastKey`, unretained: `streamSlots` or `moreStreams` owns it (cleared when
  /// `moreStreams` is pruned).
  private var lastSlot: Unmanaged<StreamSlot>?
  private var openSlots: [StreamSlot] = []
  private var waiting: [WaitingEvent] = []
  private var waitingHead = 0
  private let waitingText = ByteBuffer(capacity: 64 * 1024)
  private var currentLine = 0
  private var lastFormat: FormatLayers = []
  private var lastFormatRun = 0
  private var formatCounts: [(FormatLayers, Int)] = []
  private var lastService: ServiceTable.ID? = nil

  public init(limits: AssemblyLimits = AssemblyLimits(), assumingYear year: Int) {
    self.limits = limits
    self.year = year
  }

  /// Feeds one record. Events that are complete go to `sink`.
  public func consume<Sink: EventSink>(_ record: Record, into sink: inout Sink) {
    currentLine = max(currentLine, record.lastLineNumber)
    statistics.records += 1
    if record.layers == lastFormat {
      lastFormatRun += 1
    } else {
      flushFormatRun()
      lastFormat = record.layers
      lastFormatRun = 1
    }
    if let service = record.service, service != lastService {
      statistics.services.insert(service)
      lastService = service
    }

    // The slot is used through an unretained reference: the slot tables own it, and no
    // atomic reference count operation runs per line (on a 2-vCPU machine those cost ~7x more
    // while the classification workers run beside the parser).
    slot(for: record)._withUnsafeGuaranteedRef { consume(record, in: $0, into: &sink) }
  }

  private func consume<Sink: EventSink>(_ record: Record, in slot: StreamSlot, into sink: inout Sink) {
    let isBlank = record.payload.isBlank
    if slot.isOpen {
      switch TraceRules.next(slot.state, line: record.payload, isBlank: isBlank) {
      case .accept(let state, let language):
        slot.append(record, isBlank: isBlank, limits: limits, year: year)
        slot.state = state
        if let language { slot.language = language }
        return
      case .acceptAndClose:
        slot.append(record, isBlank: isBlank, limits: limits, year: year)
        close(slot, into: &sink)
        return
      case .reject:
        close(slot, into: &sink)
      }
    }

    if isBlank {
      statistics.skippedLines.blank += record.physicalLines
      return
    }
    if let (state, language) = TraceRules.definiteStart(record.payload) {
      open(slot, with: record, state: state, language: language, into: &sink)
      return
    }
    let hints = TraceRules.headerHints(record.payload, level: record.level)
    if !hints.isEmpty {
      open(slot, with: record, state: .candidate(hints, blanks: 0), language: nil, into: &sink)
      return
    }
    // A single-line event.
    var event = Event(text: record.payload, lineNumber: record.lineNumber, lineCount: record.physicalLines, layers: record.layers)
    event.isTruncated = record.wasCut
    event.service = record.service
    event.stream = record.stream
    event.level = record.level
    event.traceID = record.traceID
    event.processID = record.processID
    if record.timeText != nil {
      event.time = record.time(assumingYear: year)
      event.timeLacksYear = record.timeShape.lacksYear
    }
    emit(event, into: &sink)
  }

  /// Closes every open event (end of the source) and hands over everything still waiting.
  public func finish<Sink: EventSink>(into sink: inout Sink) {
    while let oldest = openSlots.min(by: { $0.firstLine < $1.firstLine }) {
      close(oldest, into: &sink)
    }
    drain(into: &sink)
    flushFormatRun()
    for (layers, count) in formatCounts { statistics.formats[layers, default: 0] += count }
    formatCounts.removeAll()
  }

  // MARK: - Streams

  private func slot(for record: Record) -> Unmanaged<StreamSlot> {
    let key = Int64(record.streamIdentity ?? -1) << 8 | Int64(record.stream.map { $0.rawValue + 1 } ?? 0)
    if key == lastKey, let lastSlot { return lastSlot }
    let slot: StreamSlot
    if let index = streamKeys.firstIndex(of: key) {
      slot = streamSlots[index]
    } else if let found = moreStreams[key] {
      slot = found
    } else {
      slot = StreamSlot()
      if streamKeys.count < Self.linearStreams {
        streamKeys.append(key)
        streamSlots.append(slot)
      } else {
        if moreStreams.count >= Self.streamTableLimit {
          // Forget the streams with nothing open: their state is empty anyway.
          lastKey = .min
          lastSlot = nil
          moreStreams = moreStreams.filter { $0.value.isOpen }
        }
        moreStreams[key] = slot
      }
    }
    lastKey = key
    lastSlot = Unmanaged.passUnretained(slot)
    return lastSlot!
  }

  private func open<Sink: EventSink>(
    _ slot: StreamSlot, with record: Record, state: TraceState, language: TraceLanguage?, into sink: inout Sink
  ) {
    slot.start(record, year: year, limits: limits)
    slot.state = state
    slot.language = language
    openSlots.append(slot)
    enforceSilenceLimit(into: &sink)
  }

  private func close<Sink: EventSink>(_ slot: StreamSlot, into sink: inout Sink) {
    statistics.skippedLines.blank += slot.trimTrailingBlanks()
    if slot.reachedCap { statistics.truncatedEvents += 1 }
    if let index = openSlots.firstIndex(where: { $0 === slot }) { openSlots.remove(at: index) }
    var event = slot.event
    if case .candidate = slot.state { event.language = nil }
    if event.language == .java { event.language = Self.refineJVMLanguage(event.text) }
    slot.isOpen = false
    emit(event, into: &sink)
    drain(into: &sink)
  }

  /// Java, JavaScript and .NET share one grammar; their frames tell them apart.
  static func refineJVMLanguage(_ text: UnsafeBufferPointer<UInt8>) -> TraceLanguage {
    if text.contains(".cs:line ") || text.contains("--- End of ") || text.contains("---> ") || text.contains("] in <filename unknown>")
      || (text.contains(" [0x") && text.contains("] in "))
    {
      return .dotnet
    }
    if text.contains(".js:") || text.contains("<anonymous>") || text.contains("(node:") || text.contains("V8 errors") {
      return .javascript
    }
    return .java
  }

  // MARK: - Ordered output

  private struct WaitingEvent {
    var event: Event
    var textStart: Int
    var textCount: Int
  }

  private var earliestOpenLine: Int {
    var earliest = Int.max
    for slot in openSlots where slot.firstLine < earliest { earliest = slot.firstLine }
    return earliest
  }

  private func emit<Sink: EventSink>(_ event: Event, into sink: inout Sink) {
    if waitingHead == waiting.count && (openSlots.isEmpty || event.lineNumber < earliestOpenLine) {
      deliver(event, into: &sink)
      return
    }
    // Wait behind an earlier open event: copy the text, keep the order by first line.
    let start = waitingText.count
    waitingText.append(event.text)
    var entry = WaitingEvent(event: event, textStart: start, textCount: event.text.count)
    entry.event.text = UnsafeBufferPointer(start: nil, count: 0)
    var index = waiting.count
    while index > waitingHead && waiting[index - 1].event.lineNumber > event.lineNumber { index -= 1 }
    waiting.insert(entry, at: index)
    enforceSilenceLimit(into: &sink)
  }

  private func drain<Sink: EventSink>(into sink: inout Sink) {
    let earliest = earliestOpenLine
    while waitingHead < waiting.count && waiting[waitingHead].event.lineNumber < earliest {
      var entry = waiting[waitingHead]
      entry.event.text = waitingText.bytes.slice(entry.textStart, entry.textStart + entry.textCount)
      waitingHead += 1
      deliver(entry.event, into: &sink)
    }
    if waitingHead == waiting.count {
      waiting.removeAll(keepingCapacity: true)
      waitingHead = 0
      waitingText.removeAll()
    } else if waitingHead > 256 && waitingHead * 2 > waiting.count {
      compactWaiting()
    }
  }

  /// Drops the delivered front of the waiting queue and of its text, so streams whose events
  /// keep overlapping cannot make the queue grow with the input.
  private func compactWaiting() {
    let shift = waiting[waitingHead].textStart
    waiting.removeFirst(waitingHead)
    waitingHead = 0
    let remaining = waitingText.count - shift
    memmove(waitingText.base, waitingText.base + shift, remaining)
    waitingText.truncate(to: remaining)
    for index in waiting.indices { waiting[index].textStart -= shift }
  }

  /// Closes the oldest open event when its stream has been silent too long, or when too many
  /// events wait behind it.
  private func enforceSilenceLimit<Sink: EventSink>(into sink: inout Sink) {
    while let oldest = openSlots.min(by: { $0.firstLine < $1.firstLine }),
      currentLine - oldest.lastLine > limits.maximumSilence || waiting.count - waitingHead > limits.maximumSilence
        || waitingText.count > limits.maximumWaitingBytes
    {
      close(oldest, into: &sink)
    }
  }

  private func deliver<Sink: EventSink>(_ event: Event, into sink: inout Sink) {
    statistics.events += 1
    statistics.eventLines += event.lineCount
    if let language = event.language { statistics.tracesByLanguage[language, default: 0] += 1 }
    if let time = event.time {
      if statistics.firstTime.map({ time < $0 }) ?? true { statistics.firstTime = time }
      if statistics.lastTime.map({ time > $0 }) ?? true { statistics.lastTime = time }
      if event.timeLacksYear { statistics.assumedYear = true }
    }
    sink.consume(event)
  }

  private func flushFormatRun() {
    if lastFormatRun > 0 {
      if let index = formatCounts.firstIndex(where: { $0.0 == lastFormat }) {
        formatCounts[index].1 += lastFormatRun
      } else {
        formatCounts.append((lastFormat, lastFormatRun))
      }
    }
    lastFormatRun = 0
  }
}

/// The open event of one stream.
final class StreamSlot {
  var isOpen = false
  var state: TraceState = .candidate([], blanks: 0)
  var language: TraceLanguage?
  let buffer = ByteBuffer(capacity: 1024)
  var firstLine = 0
  var lastLine = 0
  var lineCount = 0
  var storedLines = 0
  /// Some of its text was not kept: a cut line, or the cap.
  var isTruncated = false
  /// It reached the line or byte cap.
  var reachedCap = false
  /// Blank lines not yet known to be inside the event: kept aside, outside the cap, until a
  /// non-blank line follows (then they are part of it) or the event ends (then they are
  /// trailing and counted as skipped).
  let pendingBlanks = ByteBuffer(capacity: 64)
  var pendingBlankRecords = 0
  var pendingBlankLines = 0
  var service: ServiceTable.ID?
  var stream: OutputStream?
  var time: Timestamp?
  var timeLacksYear = false
  var level: LogLevel?
  var layers: FormatLayers = []
  var traceID: TraceID?
  var processID: Int32?

  /// Blank lines kept aside at most (more are counted, and the event is marked truncated).
  static let keptPendingBlanks = 64

  func start(_ record: Record, year: Int, limits: AssemblyLimits) {
    isOpen = true
    buffer.removeAll()
    firstLine = record.lineNumber
    lastLine = 0
    lineCount = 0
    storedLines = 0
    isTruncated = false
    reachedCap = false
    pendingBlanks.removeAll()
    pendingBlankRecords = 0
    pendingBlankLines = 0
    service = record.service
    stream = record.stream
    time = nil
    timeLacksYear = false
    level = nil
    layers = record.layers
    traceID = nil
    processID = record.processID
    append(record, isBlank: false, limits: limits, year: year)
  }

  func append(_ record: Record, isBlank: Bool, limits: AssemblyLimits, year: Int) {
    lastLine = max(lastLine, record.lastLineNumber)
    lineCount += record.physicalLines
    if time == nil, record.timeText != nil {
      time = record.time(assumingYear: year)
      timeLacksYear = record.timeShape.lacksYear
    }
    if let recordLevel = record.level, level.map({ recordLevel > $0 }) ?? true { level = recordLevel }
    if traceID == nil { traceID = record.traceID }
    if record.wasCut { isTruncated = true }
    if isBlank {
      pendingBlankLines += record.physicalLines
      if pendingBlankRecords < Self.keptPendingBlanks {
        pendingBlanks.append(0x0A)
        pendingBlanks.append(record.payload)
      }
      pendingBlankRecords += 1
      return
    }
    if pendingBlankRecords > 0 {
      // The blank lines were inside the event after all.
      let kept = min(pendingBlankRecords, Self.keptPendingBlanks)
      if pendingBlankRecords > kept { isTruncated = true }
      if storedLines + kept <= limits.maximumLines && buffer.count + pendingBlanks.count <= limits.maximumBytes {
        buffer.append(pendingBlanks.bytes)
        storedLines += kept
      } else {
        noteCap()
      }
      pendingBlanks.removeAll()
      pendingBlankRecords = 0
      pendingBlankLines = 0
    }
    let separator = storedLines > 0 ? 1 : 0
    guard !reachedCap, storedLines < limits.maximumLines, buffer.count + separator + record.payload.count <= limits.maximumBytes else {
      noteCap()
      return
    }
    if separator == 1 { buffer.append(0x0A) }
    buffer.append(record.payload)
    storedLines += 1
  }

  private func noteCap() {
    reachedCap = true
    isTruncated = true
  }

  /// Drops trailing blank lines. Returns how many physical lines were dropped.
  func trimTrailingBlanks() -> Int {
    let removed = pendingBlankLines
    lineCount -= removed
    pendingBlanks.removeAll()
    pendingBlankRecords = 0
    pendingBlankLines = 0
    return removed
  }

  var event: Event {
    var event = Event(text: buffer.bytes, lineNumber: firstLine, lineCount: lineCount, layers: layers)
    event.service = service
    event.stream = stream
    event.time = time
    event.timeLacksYear = timeLacksYear
    event.level = level
    event.language = language
    event.traceID = traceID
    event.processID = processID
    event.isTruncated = isTruncated
    return event
  }
}

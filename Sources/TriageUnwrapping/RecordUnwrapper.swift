import TriageInput

/// Peels transport wrappings off each line of one source and reads what they say.
///
/// Layers are removed outside in, several deep, with no configuration:
/// 1. ANSI escape sequences anywhere in the line;
/// 2. an envelope: docker json-file (`{"log":…}`, parts split at 16 KiB joined back), CRI
///    (`… stdout P|F …`, `P` parts joined until `F`), or journald `-o json`;
/// 3. prefixes, repeatedly: `docker compose logs` (`svc-1  | `), `kubectl logs --prefix`
///    (`[pod/NAME/CONTAINER] `), an RFC 3339 timestamp (`docker logs -t`, `kubectl logs
///    --timestamps`), and a last header: journald (`-o short-iso` and the default format),
///    syslog (RFC 3164 and RFC 5424), or dmesg (`[  1.234567] `, `-T`);
/// 4. the payload's own format is read but kept: JSON and logfmt fields (time, level,
///    service, trace id), or a text header (timestamp and level word).
///
/// Docker and CRI parts are joined per output stream, so a stderr part never glues onto a
/// stdout line. A joined record counts every physical line it took.
///
/// - Complexity: O(line length) per line, with no allocation once its buffers have grown.
public struct RecordUnwrapper {
  private let services: ServiceTable
  private let sourceService: ServiceTable.ID?
  /// The service the file is named after, for lines that name none.
  private let fileService: ServiceTable.ID?
  /// In `kubectl describe` output: the object of the latest `Name:` line, for the lines of
  /// its block.
  private var describedObject: ServiceTable.ID?
  private let fields: StructuredFieldReader
  private let maximumJoinedLength: Int
  private let kernelService: ServiceTable.ID
  private let ansiBuffer = ByteBuffer()
  private let innerANSIBuffer = ByteBuffer()
  private let envelopeBuffer = ByteBuffer()
  /// Partial records per output stream: stdout, stderr, and records that name no stream.
  private var partials: [PartialRecord] = [PartialRecord(), PartialRecord(), PartialRecord()]
  /// Records joined from docker/CRI parts that grew past the cap and were cut.
  public private(set) var cutJoinedRecords = 0
  /// A joined record was handed out from this partial slot; clear it on the next call.
  private var handedOutPartial: Int?

  private struct PartialRecord {
    let buffer = ByteBuffer()
    /// The first part's timestamp (a record's time is its first part's).
    let time = ByteBuffer(capacity: 64)
    var hasTime = false
    var firstLine = 0
    var parts = 0
    var layer: FormatLayers = []
    var wasCut = false
  }

  /// - Parameters:
  ///   - sourceName: the source's name; kubelet and docker paths name the service.
  ///   - services: the table that interns service names for this run.
  ///   - maximumJoinedLength: the cap for a record joined from docker or CRI parts.
  public init(sourceName: String, services: ServiceTable, maximumJoinedLength: Int = LineFramer.defaultMaximumLineLength) {
    self.services = services
    self.fields = StructuredFieldReader(services: services)
    self.maximumJoinedLength = maximumJoinedLength
    let hints = SourcePathHints(sourceName: sourceName)
    self.sourceService = hints.service.map { services.intern($0) }
    self.fileService = hints.fileService.map { services.intern($0) }
    self.kernelService = services.intern("kernel")
  }

  /// Unwraps one physical line.
  /// - Returns: the record, or nil when the line is a part of a record that continues on a
  ///   later line (docker or CRI partial). The record's bytes are valid until the next call.
  public mutating func unwrap(line: UnsafeBufferPointer<UInt8>, number: Int, wasCut: Bool) -> Record? {
    if let slot = handedOutPartial {
      partials[slot].buffer.removeAll()
      partials[slot].parts = 0
      partials[slot].wasCut = false
      handedOutPartial = nil
    }
    var record = Record(payload: line, lineNumber: number)
    record.wasCut = wasCut
    record.service = sourceService
    var payload = line
    if payload.firstIndex(of: 0x1B) != nil {
      payload = Self.removeEscapes(payload, into: ansiBuffer)
      record.layers.insert(.ansi)
    }

    // 2. Envelopes.
    if payload.count > 0 && payload[0] == UInt8(ascii: "{") {
      if payload.hasPrefix("{\"log\":") {
        guard let inner = dockerJSON(payload, into: &record) else { return nil }
        payload = inner
      } else if payload.hasPrefix("{\"__") {
        if let inner = journaldJSON(payload, into: &record) { payload = inner }
      }
    } else if payload.count > 30 && payload[0] &- 0x30 < 10, let cri = TransportPrefix.cri(payload) {
      record.stream = cri.stream
      record.timeText = payload.slice(0, cri.time)
      record.timeShape = .iso
      record.layers.insert(.cri)
      guard let inner = joinParts(payload.suffix(from: cri.payload), isLast: !cri.partial, layer: .cri, record: &record)
      else { return nil }
      payload = inner
    }
    if record.layers.contains(.dockerJSON) || record.layers.contains(.cri), payload.firstIndex(of: 0x1B) != nil {
      payload = Self.removeEscapes(payload, into: innerANSIBuffer)
      record.layers.insert(.ansi)
    }

    // 3. Prefixes.
    var rounds = 0
    prefixes: while rounds < 4 && payload.count > 0 {
      rounds += 1
      let first = payload[0]
      if first == UInt8(ascii: "[") {
        if let prefix = TransportPrefix.kubectl(payload) {
          record.service = services.intern(payload.slice(prefix.pod.lowerBound, prefix.pod.upperBound))
          record.streamIdentity = services.intern(payload.slice(prefix.identity.lowerBound, prefix.identity.upperBound))
          record.layers.insert(.kubectlPrefix)
          payload = payload.suffix(from: prefix.payload)
          continue
        }
        if let prefix = TransportPrefix.dmesg(payload) {
          if let ctime = prefix.ctime, record.timeText == nil {
            record.timeText = payload.slice(ctime.lowerBound, ctime.upperBound)
            record.timeShape = .ctime
          }
          if record.service == nil { record.service = kernelService }
          record.layers.insert(.dmesg)
          payload = payload.suffix(from: prefix.payload)
          break prefixes
        }
      } else if first == UInt8(ascii: "<"), let priority = TransportPrefix.syslogPriority(payload) {
        if let header = TransportPrefix.syslog5424(payload, from: priority.next) {
          if let time = header.time, record.timeText == nil {
            record.timeText = payload.slice(time.lowerBound, time.upperBound)
            record.timeShape = .iso
          }
          record.service = services.intern(payload.slice(header.app.lowerBound, header.app.upperBound))
          record.streamIdentity = record.service
          record.processID = header.pid
          record.level = LogLevel(syslogSeverity: priority.severity)
          record.layers.insert(.syslog5424)
          payload = payload.suffix(from: header.payload)
          break prefixes
        }
        let rest = payload.suffix(from: priority.next)
        if let (_, length) = rest.syslogTimestamp(at: 0, year: 2000), let header = TransportPrefix.syslogHeader(rest, from: length + 1) {
          applySyslogHeader(header, in: rest, timeLength: length, shape: .syslog, to: &record)
          record.level = LogLevel(syslogSeverity: priority.severity)
          record.layers.insert(.syslog)
          payload = rest.suffix(from: header.payload)
          break prefixes
        }
      } else if first &- 0x30 < 10 {
        if let prefix = TransportPrefix.timestamp(payload) {
          if !prefix.isZulu, let header = TransportPrefix.syslogHeader(payload, from: prefix.length + 1) {
            applySyslogHeader(header, in: payload, timeLength: prefix.length, shape: .iso, to: &record)
            record.layers.insert(.journald)
            payload = payload.suffix(from: header.payload)
            break prefixes
          }
          if record.timeText == nil {
            record.timeText = payload.slice(0, prefix.length)
            record.timeShape = .iso
          }
          record.layers.insert(.timestampPrefix)
          payload = payload.suffix(from: prefix.length + 1)
          continue
        }
      } else if first.isUppercaseLetter, payload.monthNumber(at: 0) != nil,
        let (_, length) = payload.syslogTimestamp(at: 0, year: 2000),
        let header = TransportPrefix.syslogHeader(payload, from: length + 1)
      {
        applySyslogHeader(header, in: payload, timeLength: length, shape: .syslog, to: &record)
        record.layers.insert(.journald)
        payload = payload.suffix(from: header.payload)
        break prefixes
      }
      if !record.layers.contains(.compose), let prefix = TransportPrefix.compose(payload) {
        let name = services.intern(payload.slice(0, prefix.nameEnd))
        record.service = name
        record.streamIdentity = name
        record.layers.insert(.compose)
        payload = payload.suffix(from: prefix.payload)
        continue
      }
      break
    }

    // 4. The payload's own format.
    if payload.count >= 2 && payload[0] == UInt8(ascii: "{") && payload[payload.count - 1] == UInt8(ascii: "}"),
      fields.readJSON(payload, into: &record)
    {
      record.layers.insert(.json)
    } else if payload.count > 3 && payload[0].isWordByte && Self.startsWithKeyValue(payload),
      fields.readLogfmt(payload, into: &record)
    {
      record.layers.insert(.logfmt)
    } else if payload.count > 0 {
      let layer = TextLogHeader.read(payload, into: &record)
      record.layers.formUnion(layer)
    }
    record.payload = payload
    if record.service == nil {
      if payload.hasPrefix("Name:  "), let name = Self.describedName(payload) { describedObject = services.intern(name) }
      if payload.hasPrefix("> "), let name = Self.scriptPackage(payload) { describedObject = services.intern(name) }
      record.service = describedObject ?? fileService
    }
    return record
  }

  /// The package an npm, pnpm or yarn script banner names (`> video-worker@1.4.2 start /app`),
  /// for the output of the script that follows: `video-worker`.
  static func scriptPackage(_ line: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
    var at = 3  // a scoped name (`@acme/worker@1.0.0`) starts with `@`
    while at < line.count && line[at] != UInt8(ascii: "@") && line[at] != 0x20 { at += 1 }
    guard at < line.count, line[at] == UInt8(ascii: "@"), at + 1 < line.count, line[at + 1] &- 0x30 < 10 else { return nil }
    var end = at + 1
    while end < line.count && line[end] != 0x20 { end += 1 }
    guard end < line.count else { return nil }  // the script's name follows the version
    return line.slice(2, at)
  }

  /// The object `kubectl describe` introduces (`Name:             scan-worker-6f9c7d8b5-x7k2p`):
  /// the aligned `Name:` line at the start of a block, with a Kubernetes object name.
  static func describedName(_ line: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
    var start = 5
    while start < line.count && line[start] == 0x20 { start += 1 }
    guard start < line.count, start < 40 else { return nil }
    var end = start
    while end < line.count {
      let byte = line[end]
      guard byte &- 0x61 < 26 || byte &- 0x30 < 10 || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") else { return nil }
      end += 1
    }
    return end - start >= 2 ? line.slice(start, end) : nil
  }

  /// Hands over the records still waiting for their last part (a docker or CRI partial at the
  /// end of the source). Call once, after the last line.
  public mutating func finish(_ body: (Record) -> Void) {
    if let slot = handedOutPartial {
      partials[slot].buffer.removeAll()
      partials[slot].parts = 0
      handedOutPartial = nil
    }
    for slot in partials.indices where partials[slot].parts > 0 {
      var record = Record(payload: partials[slot].buffer.bytes, lineNumber: partials[slot].firstLine, physicalLines: partials[slot].parts)
      record.layers = partials[slot].layer
      record.stream = slot == 0 ? .stdout : slot == 1 ? .stderr : nil
      if partials[slot].hasTime { record.timeText = partials[slot].time.bytes }
      if partials[slot].wasCut { cutJoinedRecords += 1 }
      record.wasCut = partials[slot].wasCut
      record.service = sourceService
      body(record)
      partials[slot].buffer.removeAll()
      partials[slot].parts = 0
    }
  }

  // MARK: - Envelopes

  private mutating func dockerJSON(_ line: UnsafeBufferPointer<UInt8>, into record: inout Record) -> UnsafeBufferPointer<UInt8>? {
    var log: JSONValue?
    var stream: OutputStream?
    let wellFormed = JSONObjectScanner.forEachMember(in: line) { key, value in
      if key.count == 3 && key.hasPrefix("log") && value.kind == .string {
        log = value
      } else if key.count == 6 && key.hasPrefix("stream") {
        stream = value.raw.hasPrefix("stderr") ? .stderr : value.raw.hasPrefix("stdout") ? .stdout : nil
      } else if key.count == 4 && key.hasPrefix("time") && value.kind == .string {
        record.timeText = value.raw
        record.timeShape = .iso
      }
      return true
    }
    guard wellFormed, let log else {
      record.timeText = nil
      return line  // not docker json-file after all; treat it as a JSON log line
    }
    record.stream = stream
    record.layers.insert(.dockerJSON)
    var text = log.raw
    if log.hasEscapes {
      envelopeBuffer.removeAll()
      JSONObjectScanner.unescape(log.raw, into: envelopeBuffer)
      text = envelopeBuffer.bytes
    }
    let complete = text.count > 0 && text[text.count - 1] == 0x0A
    if complete { text = text.slice(0, text.count - 1) }
    return joinParts(text, isLast: complete, layer: .dockerJSON, record: &record)
  }

  private mutating func journaldJSON(_ line: UnsafeBufferPointer<UInt8>, into record: inout Record) -> UnsafeBufferPointer<UInt8>? {
    var message: JSONValue?
    var time: UnsafeBufferPointer<UInt8>?
    var identifier: UnsafeBufferPointer<UInt8>?
    var processID: Int32?
    var level: LogLevel?
    JSONObjectScanner.forEachMember(in: line) { key, value in
      if key.count == 7 && key.hasPrefix("MESSAGE") {
        message = value
      } else if key.count == 20 && key.hasPrefix("__REALTIME_TIMESTAMP") {
        time = value.raw
      } else if key.count == 17 && key.hasPrefix("SYSLOG_IDENTIFIER") && value.kind == .string && !value.hasEscapes {
        identifier = value.raw
      } else if key.count == 4 && key.hasPrefix("_PID") {
        processID = value.raw.digits(at: 0, length: value.raw.count).map { Int32(truncatingIfNeeded: $0) }
      } else if key.count == 8 && key.hasPrefix("PRIORITY") {
        level = value.raw.digits(at: 0, length: value.raw.count).flatMap { LogLevel(syslogSeverity: $0) }
      }
      return true
    }
    guard let time else { return nil }  // not journald after all: nothing of it is kept
    record.timeText = time
    record.timeShape = .epochNumber
    if let identifier { record.service = services.intern(identifier) }
    record.processID = processID
    record.level = level
    record.layers.insert(.journaldJSON)
    record.streamIdentity = record.service
    guard let message else { return UnsafeBufferPointer(start: nil, count: 0) }
    envelopeBuffer.removeAll()
    switch message.kind {
    case .string:
      if !message.hasEscapes { return message.raw }
      JSONObjectScanner.unescape(message.raw, into: envelopeBuffer)
    case .array:
      // journalctl writes a message that is not valid UTF-8, or holds control bytes, as an
      // array of byte values.
      var value = 0
      var inNumber = false
      for byte in message.raw {
        if byte &- 0x30 < 10 {
          value = min(value * 10 + Int(byte &- 0x30), 1000)
          inNumber = true
        } else if inNumber {
          if value < 256 { envelopeBuffer.append(UInt8(value)) }
          value = 0
          inNumber = false
        }
      }
    default:
      envelopeBuffer.append(message.raw)
    }
    return envelopeBuffer.bytes
  }

  /// Joins docker/CRI parts per output stream.
  /// - Returns: the whole record's text once its last part arrived; nil while parts are pending.
  private mutating func joinParts(
    _ text: UnsafeBufferPointer<UInt8>, isLast: Bool, layer: FormatLayers, record: inout Record
  ) -> UnsafeBufferPointer<UInt8>? {
    let slot = record.stream == .stdout ? 0 : record.stream == .stderr ? 1 : 2
    if partials[slot].parts == 0 {
      if isLast { return text }
      partials[slot].firstLine = record.lineNumber
      partials[slot].layer = record.layers
      partials[slot].time.removeAll()
      partials[slot].hasTime = record.timeText != nil
      if let time = record.timeText { partials[slot].time.append(time) }
    }
    let partial = partials[slot]
    let room = maximumJoinedLength - partial.buffer.count
    if room >= text.count {
      partial.buffer.append(text)
    } else {
      partial.buffer.append(text.slice(0, max(room, 0)))
      partials[slot].wasCut = true
    }
    partials[slot].parts += 1
    guard isLast else { return nil }
    record.lastLineNumber = record.lineNumber
    record.lineNumber = partial.firstLine
    record.physicalLines = partials[slot].parts
    if partials[slot].hasTime { record.timeText = partial.time.bytes }
    if partials[slot].wasCut { cutJoinedRecords += 1 }
    record.wasCut = record.wasCut || partials[slot].wasCut
    handedOutPartial = slot
    return partial.buffer.bytes
  }

  private func applySyslogHeader(
    _ header: (ident: Range<Int>, pid: Int32?, payload: Int), in line: UnsafeBufferPointer<UInt8>,
    timeLength: Int, shape: TimestampShape, to record: inout Record
  ) {
    if record.timeText == nil {
      record.timeText = line.slice(0, timeLength)
      record.timeShape = shape
    }
    let identifier = line.slice(header.ident.lowerBound, header.ident.upperBound)
    if let unit = Self.systemdUnit(identifier: identifier, payload: line.slice(header.payload, line.count)) {
      // `systemd[1]: executor.service: Main process exited, …` is about the executor.
      record.service = services.intern(unit)
    } else {
      record.service = services.intern(identifier)
    }
    // The stream is the identifier with its pid ("worker[812]"): one process, one stream.
    let identityEnd = header.pid == nil ? header.ident.upperBound : (line.slice(0, header.payload).firstIndex(of: UInt8(ascii: "]"), from: header.ident.upperBound) ?? header.ident.upperBound) + 1
    record.streamIdentity = services.intern(line.slice(header.ident.lowerBound, identityEnd))
    record.processID = header.pid
  }

  // MARK: - Helpers

  /// The unit a systemd line is about (`worker@2` for `worker@2.service: …`, `Stopping
  /// worker@2.service - Worker…`), when the identifier is `systemd` and the message starts
  /// with a service unit's name, alone or after Starting/Started/Stopping/Stopped.
  static func systemdUnit(identifier: UnsafeBufferPointer<UInt8>, payload: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
    guard identifier.count == 7, identifier.hasPrefix("systemd") else { return nil }
    var start = 0
    for verb: StaticString in ["Starting ", "Started ", "Stopping ", "Stopped "] where payload.hasPrefix(verb) {
      start = verb.utf8CodeUnitCount
    }
    var index = start
    while index < payload.count && index < 128 {
      let byte = payload[index]
      if start > 0 && byte == 0x20 || byte == UInt8(ascii: ":") && start == 0 {
        guard index - start > 8, payload.matches(".service", at: index - 8) else { return nil }
        return payload.slice(start, index - 8)
      }
      guard byte.isWordByte || byte == UInt8(ascii: "@") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") else { return nil }
      index += 1
    }
    return nil
  }

  /// Whether the bytes start with `key=` (a logfmt pair) within their first 40 bytes.
  static func startsWithKeyValue(_ payload: UnsafeBufferPointer<UInt8>) -> Bool {
    var index = 0
    while index < payload.count && index < 40 {
      let byte = payload[index]
      if byte == UInt8(ascii: "=") { return index > 0 }
      guard byte.isWordByte || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") else { return false }
      index += 1
    }
    return false
  }

  /// Copies `line` into `buffer` without ANSI/VT100 escape sequences (CSI `ESC[…X`, OSC
  /// `ESC]…BEL` or `ESC]…ESC\`, and two-byte `ESC X`).
  static func removeEscapes(_ line: UnsafeBufferPointer<UInt8>, into buffer: ByteBuffer) -> UnsafeBufferPointer<UInt8> {
    buffer.removeAll()
    var index = 0
    var runStart = 0
    while let escape = line.firstIndex(of: 0x1B, from: index) {
      buffer.append(line.slice(runStart, escape))
      var cursor = escape + 1
      if cursor < line.count {
        switch line[cursor] {
        case UInt8(ascii: "["):
          cursor += 1
          while cursor < line.count, !(0x40...0x7E).contains(line[cursor]) { cursor += 1 }
          cursor += 1
        case UInt8(ascii: "]"):
          while cursor < line.count, line[cursor] != 0x07, !(line[cursor] == 0x1B && cursor + 1 < line.count && line[cursor + 1] == UInt8(ascii: "\\")) {
            cursor += 1
          }
          cursor += cursor < line.count && line[cursor] == 0x1B ? 2 : 1
        default:
          cursor += 1
        }
      }
      index = min(cursor, line.count)
      runStart = index
    }
    buffer.append(line.slice(runStart, line.count))
    return buffer.bytes
  }
}

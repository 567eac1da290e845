import TriageInput

/// What a key of a structured log (JSON or logfmt) means to triage.
enum FieldRole {
  case time, level, service, traceID, decimalTraceID, message, nested, other
  /// pino's and bunyan's `name`: the service, in a record with a numeric level and no service key.
  case loggerName

  /// Recognises the common spellings of shared/reference/trace-formats.md §5 and of the
  /// usual logging libraries (zap, logrus, pino, bunyan, structlog, python-json-logger,
  /// Serilog CLEF, ECS, GCP, OTel).
  /// - Complexity: O(1): a switch on length, then at most a few `memcmp`s.
  static func of(_ key: UnsafeBufferPointer<UInt8>) -> FieldRole {
    switch key.count {
    case 1: return key.matches("t", at: 0) ? .time : .other
    case 2:
      if key.hasPrefix("ts") { return .time }
      if key.hasPrefix("@t") { return .time }
      if key.hasPrefix("@l") { return .level }
      if key.hasPrefix("@m") { return .message }
      if key.hasPrefix("dd") || key.hasPrefix("log") { return .nested }
      return .other
    case 3:
      if key.hasPrefix("msg") { return .message }
      if key.hasPrefix("lvl") { return .level }
      if key.hasPrefix("app") || key.hasPrefix("svc") { return .service }
      if key.hasPrefix("log") { return .nested }
      if key.hasPrefix("@tr") { return .traceID }
      return .other
    case 4:
      if key.hasPrefix("time") || key.hasPrefix("date") { return .time }
      if key.hasPrefix("Time") { return .time }
      if key.hasPrefix("trace") { return .traceID }
      if key.hasPrefix("name") { return .loggerName }
      return .other
    case 5:
      if key.hasPrefix("level") || key.hasPrefix("Level") { return .level }
      if key.hasPrefix("trace") { return .nested }
      return .other
    case 7:
      if key.hasPrefix("message") || key.hasPrefix("Message") || key.hasPrefix("MESSAGE") { return .message }
      if key.hasPrefix("service") || key.hasPrefix("Service") { return .service }
      if key.hasPrefix("traceId") || key.hasPrefix("traceID") || key.hasPrefix("traceid") || key.hasPrefix("TraceId") {
        return .traceID
      }
      if key.hasPrefix("asctime") { return .time }
      return .other
    case 8:
      if key.hasPrefix("trace_id") || key.hasPrefix("trace.id") || key.hasPrefix("TraceID") { return .traceID }
      if key.hasPrefix("severity") || key.hasPrefix("Severity") || key.hasPrefix("loglevel") { return .level }
      if key.hasPrefix("datetime") { return .time }
      return .other
    case 9:
      if key.hasPrefix("levelname") || key.hasPrefix("log.level") { return .level }
      if key.hasPrefix("timestamp") || key.hasPrefix("Timestamp") { return .time }
      return .other
    case 10:
      if key.hasPrefix("@timestamp") { return .time }
      if key.hasPrefix("@timestamp") { return .time }
      return .other
    case 11:
      if key.hasPrefix("otelTraceID") { return .traceID }
      if key.hasPrefix("dd.trace_id") { return .decimalTraceID }
      if key.hasPrefix("application") || key.hasPrefix("serviceName") { return .service }
      return .other
    case 12:
      if key.hasPrefix("service.name") || key.hasPrefix("service_name") { return .service }
      if key.hasPrefix("X-B3-TraceId") { return .traceID }
      return .other
    case 13:
      if key.hasPrefix("severity_text") || key.hasPrefix("severityText") { return .level }
      if key.hasPrefix("xray_trace_id") { return .traceID }
      return .other
    case 15:
      if key.hasPrefix("otelServiceName") { return .service }
      return .other
    case 28:
      if key.hasPrefix("logging.googleapis.com/trace") { return .traceID }
      return .other
    default:
      return .other
    }
  }
}

extension TraceID {
  /// Reads a trace id from a structured field's value: plain hex (16 or 32 digits, any case),
  /// a GCP resource name (`projects/P/traces/HEX`), an X-Ray id (`1-5759e988-bd86…`) or a W3C
  /// traceparent (`00-HEX32-HEX16-01`).
  init?(fieldValue value: UnsafeBufferPointer<UInt8>) {
    if value.count == 32 || value.count == 16 {
      self.init(hex: value)
      return
    }
    if let slash = value.lastIndex(of: UInt8(ascii: "/")) {
      self.init(hex: value.suffix(from: slash + 1))
      return
    }
    if value.count == 35, value.hasPrefix("1-"), value[10] == UInt8(ascii: "-") {
      // X-Ray: 8 hex of epoch seconds + 24 hex, concatenated.
      var digits = [UInt8](value[2..<10])
      digits.append(contentsOf: value[11..<35])
      guard let id = digits.withUnsafeBufferPointer({ TraceID(hex: $0) }) else { return nil }
      self = id
      return
    }
    if value.count == 55, value[2] == UInt8(ascii: "-"), value[35] == UInt8(ascii: "-") {
      self.init(hex: value.slice(3, 35))
      return
    }
    guard value.count == 16 || value.count == 32 else { return nil }
    self.init(hex: value)
  }
}

extension UnsafeBufferPointer where Element == UInt8 {
  /// The offset of the last `byte`, or nil.
  func lastIndex(of byte: UInt8) -> Int? {
    var index = count - 1
    while index >= 0 {
      if self[index] == byte { return index }
      index -= 1
    }
    return nil
  }
}

/// Applies structured fields to a record.
struct StructuredFieldReader {
  let services: ServiceTable

  /// Reads the fields of a JSON log line into `record`.
  /// - Returns: false when the line is not a well-formed JSON object.
  func readJSON(_ payload: UnsafeBufferPointer<UInt8>, into record: inout Record, depth: Int = 0) -> Bool {
    // Stops reading members once time, level, service and trace id are all known: the rest of
    // a long JSON line is not needed (it stays in the payload as it is).
    var loggerName: UnsafeBufferPointer<UInt8>?
    var numericLevel = false
    let complete = JSONObjectScanner.forEachMember(in: payload) { key, value in
      let role = FieldRole.of(key)
      switch role {
      case .loggerName:
        // The logger's own `name` comes first; a logged object's `name` later is not it.
        if loggerName == nil, value.kind == .string, !value.hasEscapes, value.raw.count > 0 { loggerName = value.raw }
      case .level:
        if record.level == nil, value.kind == .number { numericLevel = true }
        fallthrough
      default:
        apply(role: role, key: key, value: value, to: &record, depth: depth)
      }
      return record.timeText == nil || record.level == nil || record.service == nil || record.traceID == nil
    }
    // pino and bunyan name the service `name`; elsewhere `name` is too common a key to trust.
    if record.service == nil, numericLevel, let loggerName { record.service = services.intern(loggerName) }
    return complete
  }

  func apply(role: FieldRole, key: UnsafeBufferPointer<UInt8>, value: JSONValue, to record: inout Record, depth: Int) {
    switch role {
    case .time:
      guard record.timeText == nil else { return }
      if value.kind == .string, value.raw.looksLikeISODateTime(at: 0) {
        record.timeText = value.raw
        record.timeShape = .iso
      } else if value.kind == .number {
        record.timeText = value.raw
        record.timeShape = .epochNumber
      }
    case .level:
      guard record.level == nil else { return }
      if value.kind == .string {
        record.level = LogLevel(word: value.raw)
      } else if value.kind == .number, let number = value.raw.digits(at: 0, length: value.raw.count) {
        record.level = Self.numericLevel(number)
      }
    case .service:
      if record.service == nil, value.kind == .string, !value.hasEscapes, value.raw.count > 0 {
        record.service = services.intern(value.raw)
      } else if value.kind == .object, depth == 0 {
        // ECS: "service": {"name": "api"}
        _ = JSONObjectScanner.forEachMember(in: value.raw) { innerKey, innerValue in
          if innerKey.count == 4, innerKey.hasPrefix("name") {
            apply(role: .service, key: innerKey, value: innerValue, to: &record, depth: 1)
          }
          return true
        }
      }
    case .traceID:
      guard record.traceID == nil, value.kind == .string || value.kind == .number, !value.hasEscapes else { return }
      record.traceID = TraceID(fieldValue: value.raw)
    case .decimalTraceID:
      guard record.traceID == nil else { return }
      record.traceID = TraceID(decimal: value.raw)
    case .nested:
      // "dd": {"trace_id": …}, "trace": {"id": …}, "log": {"level": …}
      guard depth == 0, value.kind == .object else { return }
      let isDatadog = key.hasPrefix("dd")
      let isTrace = key.hasPrefix("trace")
      _ = JSONObjectScanner.forEachMember(in: value.raw) { innerKey, innerValue in
        if isDatadog && innerKey.count == 8 && innerKey.hasPrefix("trace_id") {
          let role: FieldRole = innerValue.kind == .number ? .decimalTraceID : .traceID
          if innerValue.kind == .string, let id = TraceID(decimal: innerValue.raw) {
            if record.traceID == nil { record.traceID = id }
          } else {
            apply(role: role, key: innerKey, value: innerValue, to: &record, depth: 1)
          }
        } else if isTrace && innerKey.count == 2 && innerKey.hasPrefix("id") {
          apply(role: .traceID, key: innerKey, value: innerValue, to: &record, depth: 1)
        } else if !isDatadog && !isTrace && innerKey.count == 5 && innerKey.hasPrefix("level") {
          apply(role: .level, key: innerKey, value: innerValue, to: &record, depth: 1)
        }
        return true
      }
    case .message, .other, .loggerName:
      break
    }
  }

  /// pino/bunyan numeric levels (10 trace … 60 fatal); small numbers as syslog severities.
  static func numericLevel(_ number: Int) -> LogLevel? {
    switch number {
    case 0...7: return LogLevel(syslogSeverity: number)
    case 10: return .trace
    case 20: return .debug
    case 30: return .info
    case 40: return .warning
    case 50: return .error
    case 60: return .critical
    default: return nil
    }
  }

  /// Reads logfmt (`key=value key="quoted value"`) fields into `record`.
  /// - Returns: false unless the line starts with at least two `key=value` pairs.
  func readLogfmt(_ payload: UnsafeBufferPointer<UInt8>, into record: inout Record) -> Bool {
    var index = 0
    var pairs = 0
    while index < payload.count {
      // key
      let keyStart = index
      while index < payload.count, payload[index].isWordByte || payload[index] == UInt8(ascii: ".") || payload[index] == UInt8(ascii: "-") {
        index += 1
      }
      guard index > keyStart, index < payload.count, payload[index] == UInt8(ascii: "=") else {
        return pairs >= 2
      }
      let key = payload.slice(keyStart, index)
      index += 1
      // value
      var value: UnsafeBufferPointer<UInt8>
      var escaped = false
      if index < payload.count, payload[index] == UInt8(ascii: "\"") {
        guard let (end, hasEscapes) = JSONObjectScanner.scanString(payload, from: index + 1) else { return pairs >= 2 }
        value = payload.slice(index + 1, end)
        escaped = hasEscapes
        index = end + 1
      } else {
        let valueStart = index
        while index < payload.count, payload[index] != 0x20 { index += 1 }
        value = payload.slice(valueStart, index)
      }
      pairs += 1
      let role = FieldRole.of(key)
      if role != .other && role != .message {
        let kind: JSONValue.Kind = value.isDigit(at: 0) && !value.looksLikeISODateTime(at: 0) ? .number : .string
        apply(role: role, key: key, value: JSONValue(kind: kind, raw: value, hasEscapes: escaped), to: &record, depth: 1)
      }
      index = payload.skippingBlanks(from: index)
    }
    return pairs >= 2
  }
}

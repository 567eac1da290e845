import TriageInput

/// Reads the header an application writes at the start of a plain-text log line: its
/// timestamp and level word. The line itself is left as it is.
///
/// Shapes: Python logging (`2025-11-03 10:00:04,123 ERROR name: …`), Celery
/// (`[2025-11-03 10:00:04,123: ERROR/ForkPoolWorker-1] …`), klog/glog (`E1103 10:00:04.123456 …`),
/// Redis (`1:M 03 Nov 2025 10:00:04.123 # …`), Go's log (`2025/11/03 10:00:04 …`), Postgres
/// (`2025-11-03 10:00:04.123 UTC [1] LOG:  …`) and generic "timestamp level message" or
/// "LEVEL message" text.
/// - Complexity: O(header length): it reads at most the timestamp and three short tokens.
enum TextLogHeader {
  /// Fills `record.level` and (if still empty) `record.timeText` from the header.
  /// - Returns: the payload format found (`.python`, `.celery`, `.klog`, `.text`) or `[]`.
  static func read(_ payload: UnsafeBufferPointer<UInt8>, into record: inout Record) -> FormatLayers {
    guard payload.count >= 3 else { return [] }
    var index = 0
    let bracketed = payload[0] == UInt8(ascii: "[")
    if bracketed { index = 1 }

    if !bracketed, let level = LogLevel(klogLetter: payload[0]), payload.count > 14, payload.isDigit(at: 1),
      payload.isDigit(at: 4), payload[5] == 0x20, payload.klogTimestamp(at: 1, year: 2000) != nil
    {
      record.level = level
      if record.timeText == nil { record.timeText = payload.slice(1, min(payload.count, 21)); record.timeShape = .klog }
      return .klog
    }

    var shape: TimestampShape?
    var length = 0
    var first = payload[index]
    if first &- 0x30 < 10 {
      if let parsed = payload.isoTimestampLength(at: index, separator: 0x2D) {
        shape = .iso; length = parsed
      } else if let parsed = payload.isoTimestampLength(at: index, separator: 0x2F) {
        shape = .slashed; length = parsed
      } else if let redis = redisRole(payload, at: index), let (_, parsed) = payload.dayMonthYearTimestamp(at: redis) {
        if record.timeText == nil { record.timeText = payload.slice(redis, redis + parsed); record.timeShape = .dayMonthYear }
        let symbol = redis + parsed + 1
        if symbol < payload.count {
          switch payload[symbol] {
          case UInt8(ascii: "."), UInt8(ascii: "-"): record.level = .debug
          case UInt8(ascii: "*"): record.level = .notice
          case UInt8(ascii: "#"): record.level = .warning
          default: break
          }
        }
        return .text
      }
    } else if first.isUppercaseLetter, payload.monthNumber(at: index) != nil,
      let (_, parsed) = payload.syslogTimestamp(at: index, year: 2000)
    {
      shape = .syslog; length = parsed
    }

    if let shape {
      if record.timeText == nil {
        record.timeText = payload.slice(index, index + length)
        record.timeShape = shape
      }
      var cursor = index + length
      if bracketed, cursor < payload.count, payload[cursor] == UInt8(ascii: ":") {
        // Celery: "[ts: LEVEL/Process] message"
        let wordStart = payload.skippingBlanks(from: cursor + 1)
        var wordEnd = wordStart
        while wordEnd < payload.count, payload[wordEnd].isWordByte { wordEnd += 1 }
        record.level = LogLevel(word: payload.slice(wordStart, wordEnd))
        return .celery
      }
      record.level = levelWord(in: payload, from: &cursor, tokens: 3)
      let comma = index + 19 < payload.count && payload[index + 19] == UInt8(ascii: ",")
      return shape == .iso && comma ? .python : .text
    }

    // No timestamp: "ERROR something", "[WARN] something", "error: something".
    var cursor = index
    first = payload[cursor]
    if first.isWordByte, let level = levelWord(in: payload, from: &cursor, tokens: 1) {
      record.level = level
      return .text
    }
    return []
  }

  /// Looks for a level word among the next `tokens` tokens (skipping separators such as
  /// `-`, `|`, `:`, brackets and padding). Moves `cursor` past what it read.
  static func levelWord(in payload: UnsafeBufferPointer<UInt8>, from cursor: inout Int, tokens: Int) -> LogLevel? {
    for _ in 0..<tokens {
      while cursor < payload.count {
        let byte = payload[cursor]
        guard byte == 0x20 || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "|") || byte == UInt8(ascii: ":")
          || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]") || byte == 0x09
        else { break }
        cursor += 1
      }
      let start = cursor
      while cursor < payload.count, payload[cursor].isWordByte { cursor += 1 }
      if cursor - start >= 3, cursor - start <= 9, let level = LogLevel(word: payload.slice(start, cursor)) {
        // A level word is a whole token: followed by a separator or the end.
        if cursor == payload.count || !payload[cursor].isWordByte { return level }
      }
      while cursor < payload.count, payload[cursor] != 0x20 { cursor += 1 }
    }
    return nil
  }

  /// Redis: `PID:ROLE ` (role one of M, S, C, X) before its timestamp; returns where the
  /// timestamp starts.
  static func redisRole(_ payload: UnsafeBufferPointer<UInt8>, at offset: Int) -> Int? {
    var index = offset
    while index < payload.count, payload[index] &- 0x30 < 10 { index += 1 }
    guard index > offset, index + 3 < payload.count, payload[index] == UInt8(ascii: ":"),
      "MSCX".utf8.contains(payload[index + 1]), payload[index + 2] == 0x20
    else { return nil }
    return index + 3
  }
}

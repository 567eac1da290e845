import TriageInput

/// Recognisers for the prefixes that tools put in front of each line. Each looks only at the
/// start of the bytes and returns where the rest begins; none copies anything.
enum TransportPrefix {
  /// `docker compose logs`: `worker-1  | ` (v2), `project_worker_1  | ` (v1), possibly after
  /// colour codes (already removed). The name must end in `-N`/`_N`, or be padded with two
  /// or more spaces, so an app's own `a | b` text is not taken for a prefix.
  /// - Returns: the end of the name and the start of the payload.
  static func compose(_ line: UnsafeBufferPointer<UInt8>) -> (nameEnd: Int, payload: Int)? {
    var index = 0
    while index < line.count && index <= 80 {
      let byte = line[index]
      guard byte.isWordByte || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") else { break }
      index += 1
    }
    let nameEnd = index
    guard nameEnd > 0, nameEnd < line.count, line[nameEnd] == 0x20 else { return nil }
    while index < line.count && line[index] == 0x20 { index += 1 }
    guard index < line.count, line[index] == UInt8(ascii: "|") else { return nil }
    let padding = index - nameEnd
    let numbered = nameEnd >= 2 && line.isDigit(at: nameEnd - 1)
      && { var digit = nameEnd - 1; while digit > 0 && line.isDigit(at: digit - 1) { digit -= 1 }
           return digit > 0 && (line[digit - 1] == UInt8(ascii: "-") || line[digit - 1] == UInt8(ascii: "_")) }()
    guard numbered || padding >= 2 else { return nil }
    index += 1
    if index < line.count && line[index] == 0x20 { index += 1 }
    return (nameEnd, index)
  }

  /// `kubectl logs --prefix`: `[pod/NAME/CONTAINER] `.
  /// - Returns: the pod name range, the `NAME/CONTAINER` range and the payload start.
  static func kubectl(_ line: UnsafeBufferPointer<UInt8>) -> (pod: Range<Int>, identity: Range<Int>, payload: Int)? {
    guard line.hasPrefix("[pod/"), let close = line.firstIndex(of: UInt8(ascii: "]"), from: 5),
      let slash = line.slice(0, close).firstIndex(of: UInt8(ascii: "/"), from: 5)
    else { return nil }
    var payload = close + 1
    if payload < line.count && line[payload] == 0x20 { payload += 1 }
    return (5..<slash, 5..<close, payload)
  }

  /// CRI (containerd, CRI-O): `<RFC3339Nano> <stdout|stderr> <P|F> <text>`.
  static func cri(_ line: UnsafeBufferPointer<UInt8>) -> (time: Int, stream: OutputStream, partial: Bool, payload: Int)? {
    guard line.count >= 30, line.looksLikeISODateTime(at: 0), line[10] == UInt8(ascii: "T"),
      let space = line.slice(0, min(line.count, 40)).firstIndex(of: 0x20, from: 19)
    else { return nil }
    let stream: OutputStream
    if line.matches("stdout ", at: space + 1) { stream = .stdout }
    else if line.matches("stderr ", at: space + 1) { stream = .stderr }
    else { return nil }
    let flag = space + 8
    guard flag < line.count, line[flag] == UInt8(ascii: "P") || line[flag] == UInt8(ascii: "F") else { return nil }
    guard flag + 1 == line.count || line[flag + 1] == 0x20 else { return nil }
    return (space, stream, line[flag] == UInt8(ascii: "P"), min(flag + 2, line.count))
  }

  /// An RFC 3339 timestamp with a `T` and a zone, then a space (`docker logs -t`,
  /// `kubectl logs --timestamps`, journald `-o short-iso`).
  /// - Returns: the timestamp's length and whether its zone was `Z`.
  static func timestamp(_ line: UnsafeBufferPointer<UInt8>) -> (length: Int, isZulu: Bool)? {
    guard line.looksLikeISODateTime(at: 0), line[10] == UInt8(ascii: "T"),
      let length = line.isoTimestampLength(at: 0, separator: 0x2D), length < line.count, line[length] == 0x20
    else { return nil }
    let zone = line[length - 1]
    guard zone == UInt8(ascii: "Z") || line.isDigit(at: length - 1) && length > 22 else { return nil }
    return (length, zone == UInt8(ascii: "Z"))
  }

  /// The syslog/journald header after the timestamp: `HOST IDENT[PID]: ` or `HOST IDENT: `.
  /// - Returns: the identifier range, the pid and the payload start.
  static func syslogHeader(_ line: UnsafeBufferPointer<UInt8>, from start: Int) -> (ident: Range<Int>, pid: Int32?, payload: Int)? {
    var index = start
    let hostStart = index
    while index < line.count && line[index] != 0x20 { index += 1 }
    guard index > hostStart, index < line.count else { return nil }
    index += 1
    let identStart = index
    while index < line.count {
      let byte = line[index]
      if byte == 0x20 || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "[") { break }
      index += 1
    }
    let identEnd = index
    guard identEnd > identStart, index < line.count else { return nil }
    var pid: Int32?
    if line[index] == UInt8(ascii: "[") {
      let digitsStart = index + 1
      var cursor = digitsStart
      var value: Int32 = 0
      while cursor < line.count, line[cursor] &- 0x30 < 10, cursor - digitsStart < 9 {
        value = value * 10 + Int32(line[cursor] &- 0x30)
        cursor += 1
      }
      guard cursor > digitsStart, cursor < line.count, line[cursor] == UInt8(ascii: "]") else { return nil }
      pid = value
      index = cursor + 1
    }
    guard index < line.count, line[index] == UInt8(ascii: ":") else { return nil }
    index += 1
    if index < line.count && line[index] == 0x20 { index += 1 }
    return (identStart..<identEnd, pid, index)
  }

  /// `<PRI>` at the start of a syslog line. Returns the severity and the position after it.
  static func syslogPriority(_ line: UnsafeBufferPointer<UInt8>) -> (severity: Int, next: Int)? {
    guard line.count > 3, line[0] == UInt8(ascii: "<") else { return nil }
    var index = 1
    var value = 0
    while index < line.count && index <= 4, line[index] &- 0x30 < 10 {
      value = value * 10 + Int(line[index] &- 0x30)
      index += 1
    }
    guard index > 1, index < line.count, line[index] == UInt8(ascii: ">"), value <= 191 else { return nil }
    return (value % 8, index + 1)
  }

  /// RFC 5424 after the PRI: `1 TIMESTAMP HOST APP PROCID MSGID SD MSG`.
  /// - Returns: the timestamp range, app range, pid and payload start.
  static func syslog5424(_ line: UnsafeBufferPointer<UInt8>, from start: Int) -> (time: Range<Int>?, app: Range<Int>, pid: Int32?, payload: Int)? {
    guard line.matches("1 ", at: start) else { return nil }
    var fields: [Range<Int>] = []
    var index = start + 2
    for _ in 0..<5 {
      let fieldStart = index
      while index < line.count && line[index] != 0x20 { index += 1 }
      guard index > fieldStart else { return nil }
      fields.append(fieldStart..<index)
      guard index < line.count else { return nil }
      index += 1
    }
    // Structured data: "-" or one or more "[...]" groups.
    if index < line.count && line[index] == UInt8(ascii: "-") {
      index += 1
    } else {
      while index < line.count && line[index] == UInt8(ascii: "[") {
        guard let close = line.firstIndex(of: UInt8(ascii: "]"), from: index) else { return nil }
        index = close + 1
      }
    }
    if index < line.count && line[index] == 0x20 { index += 1 }
    let time = fields[0]
    let pidField = line.slice(fields[3].lowerBound, fields[3].upperBound)
    let pid = pidField.digits(at: 0, length: pidField.count).map { Int32(truncatingIfNeeded: $0) }
    return (time.count > 1 ? time : nil, fields[2], pid, index)
  }

  /// dmesg: `[  123.456789] ` (seconds since boot) or `[Mon Nov  3 10:00:04 2025] ` (`-T`).
  /// - Returns: the ctime range for `-T`, and the payload start.
  static func dmesg(_ line: UnsafeBufferPointer<UInt8>) -> (ctime: Range<Int>?, payload: Int)? {
    guard line.count > 4, line[0] == UInt8(ascii: "[") else { return nil }
    if line.count > 27, line[25] == UInt8(ascii: "]"), line.ctimeTimestamp(at: 1) != nil {
      return (1..<25, line.count > 26 && line[26] == 0x20 ? 27 : 26)
    }
    var index = line.skippingBlanks(from: 1)
    let digitsStart = index
    while index < line.count, line[index] &- 0x30 < 10 { index += 1 }
    guard index > digitsStart, index < line.count, line[index] == UInt8(ascii: ".") else { return nil }
    index += 1
    let fractionStart = index
    while index < line.count, line[index] &- 0x30 < 10 { index += 1 }
    guard index - fractionStart == 6, index < line.count, line[index] == UInt8(ascii: "]") else { return nil }
    index += 1
    if index < line.count && line[index] == 0x20 { index += 1 }
    return (nil, index)
  }
}

import TriageInput

/// A point in time, UTC, to the millisecond (what reports show).
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// Milliseconds since 1970-01-01T00:00:00Z.
  public var millisecondsSinceEpoch: Int64

  public init(millisecondsSinceEpoch: Int64) { self.millisecondsSinceEpoch = millisecondsSinceEpoch }

  /// Builds a timestamp from calendar fields in UTC. Returns nil for impossible fields.
  public init?(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int = 0) {
    guard (1...9999).contains(year), (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day), (0...23).contains(hour),
      (0...59).contains(minute), (0...60).contains(second), (0...999).contains(millisecond)
    else { return nil }
    let days = Self.daysSinceEpoch(year: year, month: month, day: day)
    let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    millisecondsSinceEpoch = seconds * 1000 + Int64(millisecond)
  }

  public static func < (left: Timestamp, right: Timestamp) -> Bool {
    left.millisecondsSinceEpoch < right.millisecondsSinceEpoch
  }

  /// RFC 3339 in UTC with milliseconds: `2025-11-03T10:00:04.123Z`.
  public var description: String {
    var text = [UInt8]()
    text.reserveCapacity(24)
    appendRFC3339(to: &text)
    return String(decoding: text, as: UTF8.self)
  }

  /// Appends the RFC 3339 form to a byte buffer (no `String` made).
  public func appendRFC3339(to output: inout [UInt8]) {
    let milliseconds = Int((millisecondsSinceEpoch % 1000 + 1000) % 1000)
    let seconds = (millisecondsSinceEpoch - Int64(milliseconds)) / 1000
    var days = Int(seconds / 86_400)
    var secondOfDay = Int(seconds % 86_400)
    if secondOfDay < 0 { secondOfDay += 86_400; days -= 1 }
    var (year, month, day) = Self.civil(fromDays: days)
    if year < 1 { (year, month, day, secondOfDay) = (1, 1, 1, 0) }
    if year > 9999 { (year, month, day, secondOfDay) = (9999, 12, 31, 86_399) }
    func put(_ value: Int, _ width: Int) {
      var divisor = 1
      for _ in 1..<width { divisor *= 10 }
      var rest = value
      while divisor > 0 {
        output.append(UInt8(0x30 + rest / divisor % 10))
        rest %= divisor
        divisor /= 10
      }
    }
    put(year, 4); output.append(0x2D); put(month, 2); output.append(0x2D); put(day, 2)
    output.append(0x54)
    put(secondOfDay / 3600, 2); output.append(0x3A); put(secondOfDay / 60 % 60, 2); output.append(0x3A)
    put(secondOfDay % 60, 2); output.append(0x2E); put(milliseconds, 3); output.append(0x5A)
  }

  /// The UTC calendar year of this timestamp.
  public var year: Int {
    var days = Int(millisecondsSinceEpoch / 86_400_000)
    if millisecondsSinceEpoch < 0 && millisecondsSinceEpoch % 86_400_000 != 0 { days -= 1 }
    return Self.civil(fromDays: days).0
  }

  /// The number of days in a month of a (proleptic Gregorian) year.
  static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  /// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
  static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  static func civil(fromDays days: Int) -> (Int, Int, Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let mp = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }

  /// The current time, for year inference.
  public static var now: Timestamp {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Timestamp(millisecondsSinceEpoch: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec / 1_000_000))
  }
}

/// The timestamp shapes found in logs. Each parser reads at an offset and returns the
/// timestamp and how many bytes it spans, or nil when the bytes are not that shape.
public enum TimestampShape: UInt8, Sendable {
  /// `2025-11-03T10:00:04.123456789Z`, `2025-11-03 10:00:04,123`, with an optional zone
  /// (`Z`, `+02:00`, `+0200`, ` UTC`); no zone means UTC.
  case iso
  /// `2025/11/03 10:00:04` (Go's log package), optional fraction.
  case slashed
  /// `Nov  3 10:00:04` (syslog, journald default): no year.
  case syslog
  /// `Mon Nov  3 10:00:04 2025` (`dmesg -T`, ctime).
  case ctime
  /// `03 Nov 2025 10:00:04.123` (Redis).
  case dayMonthYear
  /// `1103 10:00:04.123456` (klog/glog, after the level letter): no year.
  case klog
  /// Seconds, milliseconds, microseconds or nanoseconds since the epoch, told apart by size.
  case epochNumber

  /// Whether the shape lacks a year (it is inferred and reports say so).
  public var lacksYear: Bool { self == .syslog || self == .klog }
}

extension UnsafeBufferPointer where Element == UInt8 {
  /// Parses a timestamp of `shape` at `offset`.
  /// - Parameter year: the year to assume for shapes without one.
  /// - Returns: the timestamp and the number of bytes it spans.
  public func timestamp(_ shape: TimestampShape, at offset: Int, year: Int) -> (Timestamp, Int)? {
    switch shape {
    case .iso, .slashed: return isoTimestamp(at: offset, separator: shape == .iso ? 0x2D : 0x2F)
    case .syslog: return syslogTimestamp(at: offset, year: year)
    case .ctime: return ctimeTimestamp(at: offset)
    case .dayMonthYear: return dayMonthYearTimestamp(at: offset)
    case .klog: return klogTimestamp(at: offset, year: year)
    case .epochNumber: return epochTimestamp(at: offset)
    }
  }

  /// Whether an ISO date and time (`YYYY-MM-DD[T ]HH:MM`) starts at `offset`: a cheap shape test.
  @inlinable
  public func looksLikeISODateTime(at offset: Int) -> Bool {
    offset + 16 <= count && self[offset + 4] == 0x2D && self[offset + 7] == 0x2D
      && (self[offset + 10] == 0x54 || self[offset + 10] == 0x20) && self[offset + 13] == 0x3A
      && isDigit(at: offset) && isDigit(at: offset + 3) && isDigit(at: offset + 11)
  }

  func isoTimestamp(at offset: Int, separator: UInt8) -> (Timestamp, Int)? {
    scanISO(at: offset, separator: separator, computesTime: true)
  }

  /// The length of an ISO timestamp at `offset`, checking its shape but not its calendar.
  func isoTimestampLength(at offset: Int, separator: UInt8) -> Int? {
    scanISO(at: offset, separator: separator, computesTime: false)?.1
  }

  /// Two ASCII digits at `offset` as a number, or a value ≥ 100 when either is not a digit.
  @inline(__always)
  func twoDigits(_ offset: Int) -> Int {
    let high = self[offset] &- 0x30
    let low = self[offset + 1] &- 0x30
    return high < 10 && low < 10 ? Int(high) * 10 + Int(low) : 100
  }

  /// Parses `YYYY-MM-DD[T ]HH:MM:SS[.fff][zone]`; the date/time digits are read with plain
  /// arithmetic (no optionals) since this runs once per event on the hot path.
  func scanISO(at offset: Int, separator: UInt8, computesTime: Bool) -> (Timestamp, Int)? {
    guard offset + 19 <= count, self[offset + 4] == separator, self[offset + 7] == separator,
      self[offset + 10] == 0x54 || self[offset + 10] == 0x20, self[offset + 13] == 0x3A, self[offset + 16] == 0x3A
    else { return nil }
    let century = twoDigits(offset)
    let yearInCentury = twoDigits(offset + 2)
    let month = twoDigits(offset + 5)
    let day = twoDigits(offset + 8)
    let hour = twoDigits(offset + 11)
    let minute = twoDigits(offset + 14)
    let second = twoDigits(offset + 17)
    guard century < 100, yearInCentury < 100, month >= 1, month <= 12, day >= 1, hour < 24, minute < 60, second <= 60,
      century + yearInCentury > 0, day <= Timestamp.daysIn(month: month, year: century * 100 + yearInCentury)
    else { return nil }
    var index = offset + 19
    let millisecond = fraction(at: &index)
    var zoneMilliseconds: Int64 = 0
    if index < count {
      let byte = self[index]
      if byte == 0x5A || byte == 0x7A {  // Z
        index += 1
      } else if (byte == 0x2B || byte == 0x2D) && index + 3 <= count && twoDigits(index + 1) < 24 {
        let zoneHours = twoDigits(index + 1)
        var zoneMinutes = 0
        var length = 3
        if index + 6 <= count && self[index + 3] == 0x3A && twoDigits(index + 4) < 60 {
          zoneMinutes = twoDigits(index + 4); length = 6
        } else if index + 5 <= count && twoDigits(index + 3) < 60 {
          zoneMinutes = twoDigits(index + 3); length = 5
        }
        let magnitude = Int64((zoneHours * 60 + zoneMinutes) * 60_000)
        zoneMilliseconds = byte == 0x2B ? -magnitude : magnitude
        index += length
      } else if matches(" UTC", at: index) || matches(" GMT", at: index) {
        index += 4
      }
    }
    guard computesTime else { return (Timestamp(millisecondsSinceEpoch: 0), index - offset) }
    let days = Timestamp.daysSinceEpoch(year: century * 100 + yearInCentury, month: month, day: day)
    let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    return (Timestamp(millisecondsSinceEpoch: seconds * 1000 + Int64(millisecond) + zoneMilliseconds), index - offset)
  }

  /// Reads `.123456` or `,123` at `index` (moving it past the digits); returns milliseconds.
  func fraction(at index: inout Int) -> Int {
    guard index < count, self[index] == 0x2E || self[index] == 0x2C, isDigit(at: index + 1) else { return 0 }
    index += 1
    var millisecond = 0
    var digitCount = 0
    while index < count, self[index] &- 0x30 < 10 {
      if digitCount < 3 { millisecond = millisecond * 10 + Int(self[index] &- 0x30) }
      digitCount += 1
      index += 1
    }
    for _ in digitCount..<max(digitCount, 3) { millisecond *= 10 }
    return millisecond
  }

  /// `Jan`…`Dec` at `offset` → 1…12.
  func monthNumber(at offset: Int) -> Int? {
    guard offset + 3 <= count else { return nil }
    let key = UInt32(self[offset] | 0x20) << 16 | UInt32(self[offset + 1] | 0x20) << 8 | UInt32(self[offset + 2] | 0x20)
    switch key {
    case 0x6A616E: return 1  // jan
    case 0x666562: return 2
    case 0x6D6172: return 3
    case 0x617072: return 4
    case 0x6D6179: return 5
    case 0x6A756E: return 6
    case 0x6A756C: return 7
    case 0x617567: return 8
    case 0x736570: return 9
    case 0x6F6374: return 10
    case 0x6E6F76: return 11
    case 0x646563: return 12
    default: return nil
    }
  }

  /// `HH:MM:SS` at `offset`.
  func clock(at offset: Int) -> (Int, Int, Int)? {
    guard offset + 8 <= count, self[offset + 2] == 0x3A, self[offset + 5] == 0x3A,
      let hour = digits(at: offset, length: 2), let minute = digits(at: offset + 3, length: 2),
      let second = digits(at: offset + 6, length: 2)
    else { return nil }
    return (hour, minute, second)
  }

  /// A day of month, `3`, ` 3` or `03`, at `offset` (two bytes wide).
  func paddedDay(at offset: Int) -> Int? {
    guard offset + 2 <= count else { return nil }
    if self[offset] == 0x20 { return digits(at: offset + 1, length: 1) }
    return digits(at: offset, length: 2)
  }

  func syslogTimestamp(at offset: Int, year: Int) -> (Timestamp, Int)? {
    guard let month = monthNumber(at: offset), offset + 15 <= count, self[offset + 3] == 0x20,
      let day = paddedDay(at: offset + 4), self[offset + 6] == 0x20,
      let (hour, minute, second) = clock(at: offset + 7)
    else { return nil }
    var index = offset + 15
    let millisecond = fraction(at: &index)
    guard let time = Timestamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second, millisecond: millisecond)
    else { return nil }
    return (time, index - offset)
  }

  func ctimeTimestamp(at offset: Int) -> (Timestamp, Int)? {
    // "Mon Nov  3 10:00:04 2025"
    guard offset + 24 <= count, self[offset + 3] == 0x20, let month = monthNumber(at: offset + 4),
      self[offset + 7] == 0x20, let day = paddedDay(at: offset + 8), self[offset + 10] == 0x20,
      let (hour, minute, second) = clock(at: offset + 11), self[offset + 19] == 0x20,
      let year = digits(at: offset + 20, length: 4),
      let time = Timestamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    else { return nil }
    return (time, 24)
  }

  func dayMonthYearTimestamp(at offset: Int) -> (Timestamp, Int)? {
    // "03 Nov 2025 10:00:04.123"
    guard offset + 20 <= count, let day = digits(at: offset, length: 2), self[offset + 2] == 0x20,
      let month = monthNumber(at: offset + 3), self[offset + 6] == 0x20, let year = digits(at: offset + 7, length: 4),
      self[offset + 11] == 0x20, let (hour, minute, second) = clock(at: offset + 12)
    else { return nil }
    var index = offset + 20
    let millisecond = fraction(at: &index)
    guard let time = Timestamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second, millisecond: millisecond)
    else { return nil }
    return (time, index - offset)
  }

  /// An RFC 1123 date with a numeric zone, as `kubectl describe` prints a container's
  /// `Started:` and `Finished:` (`Wed, 12 Nov 2025 14:51:09 +0000`), at `offset`; in UTC.
  public func rfc1123Timestamp(at offset: Int) -> Timestamp? {
    guard offset + 31 <= count, self[offset + 3] == 0x2C, self[offset + 4] == 0x20,
      let (local, length) = dayMonthYearTimestamp(at: offset + 5), length == 20, self[offset + 25] == 0x20,
      self[offset + 26] == 0x2B || self[offset + 26] == 0x2D,
      let hours = digits(at: offset + 27, length: 2), let minutes = digits(at: offset + 29, length: 2)
    else { return nil }
    let zone = Int64(hours * 60 + minutes) * 60_000 * (self[offset + 26] == 0x2D ? -1 : 1)
    return Timestamp(millisecondsSinceEpoch: local.millisecondsSinceEpoch - zone)
  }

  func klogTimestamp(at offset: Int, year: Int) -> (Timestamp, Int)? {
    // "1103 10:00:04.123456"
    guard offset + 13 <= count, let month = digits(at: offset, length: 2), let day = digits(at: offset + 2, length: 2),
      self[offset + 4] == 0x20, let (hour, minute, second) = clock(at: offset + 5)
    else { return nil }
    var index = offset + 13
    let millisecond = fraction(at: &index)
    guard let time = Timestamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second, millisecond: millisecond)
    else { return nil }
    return (time, index - offset)
  }

  /// A number since the epoch: seconds (with optional fraction), or ms/µs/ns by magnitude.
  func epochTimestamp(at offset: Int) -> (Timestamp, Int)? {
    var index = offset
    var whole: Int64 = 0
    var digitCount = 0
    while index < count, self[index] &- 0x30 < 10 {
      let (times, overflow) = whole.multipliedReportingOverflow(by: 10)
      let (sum, overflow2) = times.addingReportingOverflow(Int64(self[index] &- 0x30))
      guard !overflow, !overflow2 else { return nil }
      whole = sum
      index += 1
      digitCount += 1
    }
    guard digitCount >= 9 else { return nil }
    let millisecond = Int64(fraction(at: &index))
    let milliseconds: Int64
    switch digitCount {
    case ...11: milliseconds = whole * 1000 + millisecond  // seconds
    case 12...14: milliseconds = whole  // milliseconds
    case 15...17: milliseconds = whole / 1000  // microseconds
    default: milliseconds = whole / 1_000_000  // nanoseconds
    }
    guard milliseconds >= -62_135_596_800_000, milliseconds <= 253_402_300_799_999 else { return nil }
    return (Timestamp(millisecondsSinceEpoch: milliseconds), index - offset)
  }
}

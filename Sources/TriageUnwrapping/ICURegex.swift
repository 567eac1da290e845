import _FoundationICU

/// An ICU regular expression matched on UTF-8 bytes.
///
/// It is the ICU engine `NSRegularExpression` uses (the toolchain's `_FoundationICU`), driven
/// through ICU's C API, so nothing is bridged to `NSString` per match (on Linux that cost more
/// than the matching itself). An ASCII text (nearly every log line) is widened into a reused
/// UTF-16 buffer, byte for byte, which ICU matches in one chunk (`MatchChunkAt`): 0.16 s less
/// CPU per GB of benchmark log than through a UTF-8 `UText`, which any other text still goes
/// through. Either way match positions are byte offsets. One instance keeps match state: use
/// ``copy(sharing:)`` for another thread.
package final class ICURegex: @unchecked Sendable {
  private let handle: OpaquePointer
  private let text: UnsafeMutablePointer<UText>
  /// Where an ASCII text is widened; shared by the regexes one thread uses.
  private let wide: WideningBuffer
  /// ICU group numbers of the named groups, in ``init(pattern:ignoresCase:multiline:groupNames:)`` order.
  package let groupNumbers: [Int32]
  /// Match calls that gave up at the work limit (``limitWork(to:)``) and so found nothing.
  package private(set) var overruns = 0

  /// Compiles `pattern` (ICU syntax).
  /// - Throws: a sentence naming ICU's error and where in the pattern it was found.
  package init(pattern: String, ignoresCase: Bool, multiline: Bool, groupNames: [String]) throws(ICURegexError) {
    var status = U_ZERO_ERROR
    var parseError = UParseError()
    // Only \n ends a line, as in the framer (not \r, \f or U+2028).
    var flags: UInt32 = UInt32(UREGEX_UNIX_LINES.rawValue)
    if ignoresCase { flags |= UInt32(UREGEX_CASE_INSENSITIVE.rawValue) }
    if multiline { flags |= UInt32(UREGEX_MULTILINE.rawValue) }
    let source = Array(pattern.utf16)
    let compiled = source.withUnsafeBufferPointer {
      swift_uregex_open($0.baseAddress, Int32($0.count), flags, &parseError, &status)
    }
    guard status.rawValue <= U_ZERO_ERROR.rawValue, let compiled else {
      throw ICURegexError(message: "\(String(cString: swift_u_errorName(status))) at offset \(parseError.offset)")
    }
    handle = compiled
    text = Self.makeText()
    wide = WideningBuffer()
    Self.useLineBounds(compiled)
    var numbers: [Int32] = []
    for name in groupNames {
      let utf16 = Array(name.utf16)
      var groupStatus = U_ZERO_ERROR
      let number = utf16.withUnsafeBufferPointer { swift_uregex_groupNumberFromName(compiled, $0.baseAddress, Int32($0.count), &groupStatus) }
      numbers.append(groupStatus.rawValue <= U_ZERO_ERROR.rawValue ? number : -1)
    }
    groupNumbers = numbers
  }

  private init(handle: OpaquePointer, groupNumbers: [Int32], wide: WideningBuffer) {
    self.handle = handle
    self.groupNumbers = groupNumbers
    self.wide = wide
    text = Self.makeText()
    Self.useLineBounds(handle)
  }

  /// A match tried from the middle of a text (``prefixMatch(in:at:)``) still sees the text
  /// before it (transparent bounds: `\b` and look-behind work), and `^`/`$` keep meaning the
  /// ends of the text, not of the region.
  private static func useLineBounds(_ handle: OpaquePointer) {
    var status = U_ZERO_ERROR
    swift_uregex_useTransparentBounds(handle, 1, &status)
    swift_uregex_useAnchoringBounds(handle, 0, &status)
  }

  private static func makeText() -> UnsafeMutablePointer<UText> {
    let text = UnsafeMutablePointer<UText>.allocate(capacity: 1)
    text.initialize(to: UText())
    text.pointee.magic = UInt32(UTEXT_MAGIC)
    text.pointee.sizeOfStruct = Int32(MemoryLayout<UText>.size)
    return text
  }

  deinit {
    swift_uregex_close(handle)
    swift_utext_close(text)
    text.deallocate()
  }

  /// An independent copy (its own match state) for use on another thread.
  /// - Parameter wide: the widening buffer of the regexes that thread uses (one per thread
  ///   keeps memory to one copy of the longest text matched).
  package func copy(sharing wide: WideningBuffer) -> ICURegex {
    var status = U_ZERO_ERROR
    return ICURegex(handle: swift_uregex_clone(handle, &status)!, groupNumbers: groupNumbers, wide: wide)
  }

  /// Bounds the work of each match call: ICU gives up after about `steps` milliseconds of
  /// matching (its time limit counts engine steps), so a regex that backtracks
  /// catastrophically cannot hang a run. A call that gives up finds nothing and counts in
  /// ``overruns``.
  package func limitWork(to steps: Int32) {
    var status = U_ZERO_ERROR
    swift_uregex_setTimeLimit(handle, steps, &status)
  }

  /// The first match in `bytes`: its byte range and each named group's range (nil when the
  /// group did not take part). ^ and $ anchor at the ends of `bytes` (and at line breaks in
  /// multiline mode).
  package func firstMatch(in bytes: UnsafeBufferPointer<UInt8>) -> (range: Range<Int>, groups: [Range<Int>?])? {
    guard setText(bytes) else { return nil }
    var status = U_ZERO_ERROR
    let found = swift_uregex_findNext(handle, &status) != 0
    if status == U_REGEX_TIME_OUT { overruns += 1 }
    guard found, status.rawValue <= U_ZERO_ERROR.rawValue else { return nil }
    return currentMatch()
  }

  /// The match that starts exactly at byte `start` of `bytes`, if any (ICU `lookingAt` on the
  /// region from `start`); the bytes before `start` still count for `\b` and look-behind.
  package func prefixMatch(in bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> (range: Range<Int>, groups: [Range<Int>?])? {
    guard setText(bytes) else { return nil }
    var status = U_ZERO_ERROR
    swift_uregex_setRegion64(handle, Int64(start), Int64(bytes.count), &status)
    guard status.rawValue <= U_ZERO_ERROR.rawValue else { return nil }
    let found = swift_uregex_lookingAt64(handle, -1, &status) != 0
    if status == U_REGEX_TIME_OUT { overruns += 1 }
    guard found, status.rawValue <= U_ZERO_ERROR.rawValue else { return nil }
    return currentMatch()
  }

  /// Points the matcher at `bytes`: their UTF-16 copy when they are ASCII (offsets are the
  /// same), else the bytes themselves. ICU keeps a pointer to the text until the next call
  /// sets new text; nothing reads it before then.
  private func setText(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let base = bytes.baseAddress ?? UnsafePointer(bitPattern: 1) else { return false }
    var status = U_ZERO_ERROR
    if bytes.count <= Int(Int32.max) && wide.widenIfASCII(bytes) {
      swift_uregex_setText(handle, wide.units, Int32(bytes.count), &status)
      return status.rawValue <= U_ZERO_ERROR.rawValue
    }
    let pointer = UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self)
    _ = swift_utext_openUTF8(text, pointer, Int64(bytes.count), &status)
    swift_uregex_setUText(handle, text, &status)
    return status.rawValue <= U_ZERO_ERROR.rawValue
  }

  /// The range and named groups of the match just found.
  private func currentMatch() -> (range: Range<Int>, groups: [Range<Int>?]) {
    var status = U_ZERO_ERROR
    let start = Int(swift_uregex_start64(handle, 0, &status))
    let end = Int(swift_uregex_end64(handle, 0, &status))
    var groups: [Range<Int>?] = []
    groups.reserveCapacity(groupNumbers.count)
    for number in groupNumbers {
      guard number >= 0 else { groups.append(nil); continue }
      var groupStatus = U_ZERO_ERROR
      let groupStart = swift_uregex_start64(handle, number, &groupStatus)
      let groupEnd = swift_uregex_end64(handle, number, &groupStatus)
      groups.append(groupStart >= 0 && groupStatus.rawValue <= U_ZERO_ERROR.rawValue ? Int(groupStart)..<Int(groupEnd) : nil)
    }
    return (start..<end, groups)
  }
}

/// UTF-16 units of the ASCII text a regex is matching, reused from match to match by the
/// regexes of one thread. A regex reads the units only during its own match calls, so the
/// next regex may overwrite them.
package final class WideningBuffer: @unchecked Sendable {
  /// The widened text; valid until the next ``widenIfASCII(_:)``.
  package private(set) var units: UnsafeMutablePointer<UInt16>
  private var capacity = 256

  package init() { units = .allocate(capacity: capacity) }

  deinit { units.deallocate() }

  /// Copies `bytes` into ``units``, one unit per byte; false when a byte is not ASCII (the
  /// copy is then unusable).
  /// - Complexity: O(n), one pass.
  package func widenIfASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    if bytes.count > capacity {
      units.deallocate()
      capacity = max(bytes.count, 2 * capacity)
      units = .allocate(capacity: capacity)
    }
    var seen: UInt8 = 0
    for index in bytes.indices {
      seen |= bytes[index]
      units[index] = UInt16(bytes[index])
    }
    return seen < 0x80
  }
}

/// A regex ICU could not compile.
package struct ICURegexError: Error {
  package let message: String
}

import TriageInput

/// Groups the same bug across wrappings, restarts, pids, times and services, in the manner of
/// Sentry: exception type + in-app frames (module:function, no line numbers); without frames,
/// the text the pattern matched with its variable parts masked.
enum Fingerprint {
  /// A 16-hex-digit fingerprint for `finding`: FNV-1a over `category|type|frames` (or
  /// `category|pattern|masked message`) and `|dependency`, hashed as it is produced.
  static func make(for finding: Finding, trace: TracebackReader?) -> String {
    var hash = FNV()
    hash.add(finding.category.rawValue)
    if let trace, let type = trace.exceptionType {
      hash.add("|")
      hash.add(type)
      hash.add("|")
      let frames = trace.inAppFrames.isEmpty ? trace.frames : trace.inAppFrames
      if frames.isEmpty {
        hash.add(normalize(trace.message ?? ""))
      } else {
        for (index, frame) in frames.prefix(frameLimit).enumerated() {
          if index > 0 { hash.add(">") }
          hash.add(frame)
        }
      }
    } else {
      hash.add("|")
      hash.add(finding.pattern.id)
      hash.add("|")
      var text = finding.matchedSpan.isEmpty ? finding.matchedText : finding.matchedSpan
      text.withUTF8 { hash.add(normalizedBytes: $0) }
    }
    if let dependency = finding.captures["dependency"] {
      hash.add("|")
      hash.add(dependency)
    }
    return hex(hash.value)
  }

  /// How many frames a fingerprint takes (in-app ones, or else the first).
  static let frameLimit = 12

  /// FNV-1a, fed piece by piece.
  struct FNV {
    var value: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ byte: UInt8) {
      value ^= UInt64(byte)
      value = value &* 0x0000_0100_0000_01b3
    }
    mutating func add(_ text: String) {
      var text = text
      text.withUTF8 { add($0) }
    }
    mutating func add(_ bytes: UnsafeBufferPointer<UInt8>) { for byte in bytes { add(byte) } }
    /// Adds the masked form of `bytes` (``Fingerprint/normalize(_:)``) without building it.
    mutating func add(normalizedBytes bytes: UnsafeBufferPointer<UInt8>) {
      var copy = self
      Fingerprint.mask(bytes) { piece in copy.add(piece) }
      self = copy
    }
  }

  /// The message with its variable parts masked, in one pass over its bytes (the spirit of
  /// Sentry's `normalize_message_for_grouping`): numbers (with any `.`, `:`, `-`, `/`
  /// between digits, so dates, times, IPs and versions), hex (`0x…`, or 8+ hex digits with a
  /// digit: ids, hashes, UUID parts), e-mail addresses, URLs and temporary paths become `<…>`.
  /// - Complexity: O(n).
  static func normalize(_ message: String) -> String {
    var copy = message
    return copy.withUTF8 { normalize($0) }
  }

  static func normalize(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    var output: [UInt8] = []
    output.reserveCapacity(bytes.count)
    mask(bytes) { output.append(contentsOf: $0) }
    return String(decoding: output, as: UTF8.self)
  }

  /// Walks `bytes`, handing `emit` the masked message piece by piece (runs of kept bytes and
  /// placeholders), so a caller can hash it without building it.
  static func mask(_ bytes: UnsafeBufferPointer<UInt8>, _ emit: (UnsafeBufferPointer<UInt8>) -> Void) {
    func put(_ placeholder: StaticString) {
      emit(UnsafeBufferPointer(start: placeholder.utf8Start, count: placeholder.utf8CodeUnitCount))
    }
    func tokenEnd(from start: Int) -> Int {
      var end = start
      while end < bytes.count, bytes[end] != 0x20, bytes[end] != 0x09, bytes[end] != 0x22, bytes[end] != 0x27 { end += 1 }
      return end
    }
    var index = 0
    var runStart = 0
    func flush() { if runStart < index { emit(bytes.slice(runStart, index)) } }
    while index < bytes.count {
      let byte = bytes[index]
      let atWordStart = index == 0 || !bytes[index - 1].isWordByte
      var replacement: StaticString?
      var end = index
      if atWordStart && (byte == 0x68 || byte == 0x77 || byte == 0x66)
        && (bytes.matches("http://", at: index) || bytes.matches("https://", at: index) || bytes.matches("ws://", at: index)
          || bytes.matches("wss://", at: index) || bytes.matches("ftp://", at: index))
      {
        replacement = "<url>"
        end = tokenEnd(from: index)
      } else if byte == 0x2F
        && (bytes.matches("/tmp/", at: index) || bytes.matches("/var/tmp/", at: index) || bytes.matches("/var/folders/", at: index)
          || bytes.matches("/private/var/folders/", at: index))
      {
        replacement = "<tmp>"
        end = tokenEnd(from: index)
      } else if atWordStart && byte.isHexDigit && isUUID(bytes, at: index) {
        replacement = "<uuid>"
        end = index + 36
      } else if atWordStart && byte == 0x30 && index + 2 < bytes.count && (bytes[index + 1] | 0x20) == 0x78 && bytes[index + 2].isHexDigit {
        end = index + 2
        while end < bytes.count, bytes[end].isHexDigit { end += 1 }
        replacement = "<hex>"
      } else if atWordStart && byte.isHexDigit {
        var hexEnd = index
        var hasDigit = false
        while hexEnd < bytes.count, bytes[hexEnd].isHexDigit {
          if bytes[hexEnd] &- 0x30 < 10 { hasDigit = true }
          hexEnd += 1
        }
        if hexEnd - index >= 8 && hasDigit && (hexEnd == bytes.count || !bytes[hexEnd].isWordByte) {
          replacement = "<hex>"
          end = hexEnd
        }
      }
      if replacement == nil && atWordStart && byte.isWordByte {
        // An e-mail address: word chars (and . - +), @, a domain with a dot.
        var at = index
        while at < bytes.count, bytes[at].isWordByte || bytes[at] == 0x2E || bytes[at] == 0x2D || bytes[at] == 0x2B { at += 1 }
        if at + 1 < bytes.count, bytes[at] == 0x40, bytes[at + 1].isWordByte {
          var domainEnd = at + 1
          var dotted = false
          while domainEnd < bytes.count, bytes[domainEnd].isWordByte || bytes[domainEnd] == 0x2E || bytes[domainEnd] == 0x2D {
            if bytes[domainEnd] == 0x2E { dotted = true }
            domainEnd += 1
          }
          if dotted {
            replacement = "<email>"
            end = domainEnd
          }
        }
      }
      if replacement == nil && byte &- 0x30 < 10 && atWordStart {
        // A number, and digits joined to it by . : - / , T Z (dates, times, IPs, versions).
        end = index
        while end < bytes.count {
          let current = bytes[end]
          if current &- 0x30 < 10 { end += 1; continue }
          let joins = current == 0x2E || current == 0x3A || current == 0x2D || current == 0x2F || current == 0x2C || current == 0x54
          if joins, end + 1 < bytes.count, bytes[end + 1] &- 0x30 < 10 { end += 1; continue }
          break
        }
        if end < bytes.count, bytes[end] == 0x5A { end += 1 }
        replacement = "<int>"
      }
      if let replacement {
        flush()
        put(replacement)
        index = end
        runStart = end
      } else if byte.isWordByte {
        // Inside a word ("db12", "ForkPoolWorker"): keep the whole word, so numbered names
        // stay as they are instead of being half masked.
        while index < bytes.count, bytes[index].isWordByte { index += 1 }
      } else {
        index += 1
      }
    }
    flush()
  }

  /// Whether a UUID (`8-4-4-4-12` hex digits) starts at `index`.
  static func isUUID(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
    guard index + 36 <= bytes.count else { return false }
    for offset in 0..<36 {
      let byte = bytes[index + offset]
      if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
        guard byte == 0x2D else { return false }
      } else {
        guard byte.isHexDigit else { return false }
      }
    }
    return index + 36 == bytes.count || !bytes[index + 36].isWordByte
  }

  /// `value` as 16 lower-case hex digits, written straight into the string's storage.
  static func hex(_ value: UInt64) -> String {
    String(unsafeUninitializedCapacity: 16) { digits in
      for index in 0..<16 {
        let nibble = UInt8(truncatingIfNeeded: value >> UInt64(60 - 4 * index)) & 0x0F
        digits[index] = nibble < 10 ? 0x30 + nibble : 0x57 + nibble
      }
      return 16
    }
  }
}

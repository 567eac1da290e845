import TriageAssembly
import TriageInput

/// Events that say the process itself ended, though no signal or exit status is logged.
enum ProcessExit {
  /// Node (12 and later) prints its version, `Node.js v20.18.0`, as the last line before it
  /// exits on an uncaught exception or an unhandled rejection: the error above it ended the
  /// process.
  /// - Complexity: one search of the event's text, only for JavaScript events.
  static func ends(_ event: Event) -> Bool {
    event.language == .javascript && event.text.contains("\nNode.js v")
  }

  /// The thread an uncaught exception ended, when the event is the runtime's report of one
  /// (Python's `Exception in thread completion-listener:`, Java's `Exception in thread
  /// "worker-3" …`): the process lives on without it.
  static func deadThread(_ event: Event) -> String? {
    let text = event.text
    guard text.hasPrefix("Exception in thread ") else { return nil }
    var start = 20
    var end = start
    if start < text.count && text[start] == UInt8(ascii: "\"") {
      start += 1
      end = start
      while end < text.count && text[end] != UInt8(ascii: "\"") && text[end] != 0x0A { end += 1 }
    } else {
      while end < text.count && text[end] != UInt8(ascii: ":") && text[end] != 0x0A { end += 1 }
    }
    guard end > start, end - start <= 80 else { return nil }
    let name = String(decoding: UnsafeBufferPointer(rebasing: text[start..<end]), as: UTF8.self)
    // Java's `main` thread ending is the process ending; that is a crash of another kind.
    return name == "main" ? nil : name
  }
}

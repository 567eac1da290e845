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
}

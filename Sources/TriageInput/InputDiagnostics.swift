/// Something in the input that was skipped, cut or damaged, said so the user knows what is missing.
public struct InputWarning: Sendable, Equatable, CustomStringConvertible {
  /// What kind of problem this is; stable names for JSON output and tests.
  public enum Kind: String, Sendable {
    case binarySkipped = "binary-skipped"
    case unsupportedCompression = "unsupported-compression"
    case truncatedGzip = "truncated-gzip"
    case corruptGzip = "corrupt-gzip"
    case trailingGarbage = "trailing-garbage"
    case truncatedTar = "truncated-tar"
    case corruptTar = "corrupt-tar"
    case nestingTooDeep = "nesting-too-deep"
    case unreadable = "unreadable"
    case malformedDump = "malformed-dump"
    case skippedSpecialFile = "special-file"
    case documentationSkipped = "documentation-skipped"
    case cutLines = "cut-lines"
    case truncatedEvents = "truncated-events"
    case assumedYear = "assumed-year"
  }

  public let source: String
  public let kind: Kind
  public let message: String

  public init(source: String, kind: Kind, message: String) {
    self.source = source
    self.kind = kind
    self.message = message
  }

  public var description: String { "\(source): \(message)" }
}

/// Collects the warnings and errors met while reading, in the order they happened.
///
/// Streams hold a reference to it so damage found deep inside a decoder (possibly on the
/// prefetching thread) reaches the report. All access is serialised by a lock.
public final class InputDiagnostics: @unchecked Sendable {
  private var storedWarnings: [InputWarning] = []
  private var storedErrors: [InputError] = []
  private var mutex = pthread_mutex_t()

  public init() { pthread_mutex_init(&mutex, nil) }
  deinit { pthread_mutex_destroy(&mutex) }

  private func locked<T>(_ body: () -> T) -> T {
    pthread_mutex_lock(&mutex)
    defer { pthread_mutex_unlock(&mutex) }
    return body()
  }

  /// Every warning so far, oldest first.
  public var warnings: [InputWarning] { locked { storedWarnings } }
  /// Every input that could not be read at all, oldest first.
  public var errors: [InputError] { locked { storedErrors } }

  public func warn(_ warning: InputWarning) { locked { storedWarnings.append(warning) } }
  public func warn(source: String, kind: InputWarning.Kind, _ message: String) {
    warn(InputWarning(source: source, kind: kind, message: message))
  }
  public func fail(_ error: InputError) { locked { storedErrors.append(error) } }

}

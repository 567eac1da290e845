/// An input that could not be read at all. Each message says what, where, and what to do.
public struct InputError: Error, CustomStringConvertible, Sendable, Equatable {
  /// The path (or `ARCHIVE:member`) the error is about.
  public let source: String
  /// A user-facing sentence: what went wrong and what to do about it.
  public let message: String

  public init(source: String, message: String) {
    self.source = source
    self.message = message
  }

  public var description: String { "\(source): \(message)" }

  /// Builds an error from `errno` after a failed system call.
  static func system(_ call: String, source: String, errno code: Int32) -> InputError {
    let reason = String(cString: strerror(code))
    let hint: String
    switch code {
    case ENOENT: hint = "check the path"
    case EACCES, EPERM: hint = "check its permissions, or run triage as a user who can read it"
    case ELOOP: hint = "a symbolic link points back into itself; fix or remove the link"
    case EISDIR: hint = "pass the directory itself; triage reads it recursively"
    default: hint = "check that the file is readable"
    }
    return InputError(source: source, message: "cannot \(call): \(reason); \(hint).")
  }
}

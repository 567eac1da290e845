/// Service names as logs and spans spell them: `worker-1` (a compose replica), `tickets-worker-1`
/// (with the project), `worker` (OTel `service.name`).
enum ServiceName {
  /// Lowercase, without a replica number (`worker-1` → `worker`).
  static func normalized(_ name: String) -> String {
    var text = name.lowercased()
    while let last = text.last, last.isNumber { text.removeLast() }
    if text.count < name.count, let last = text.last, last == "-" || last == "_" || last == "." {
      text.removeLast()
    } else if text.count < name.count {
      text = name.lowercased()
    }
    // The server's name and its clients' name for it (`postgresql-16-main`, dependency `postgres`).
    if text.hasPrefix("postgresql") { text = "postgres" + text.dropFirst(10) }
    return text
  }

  /// Whether two spellings name the same service: equal once normalised, or one is the other
  /// with a project prefix (`tickets-worker`) or a suffix (`rabbitmq-server`, `postgres-16-main`).
  static func matches(_ left: String, _ right: String) -> Bool {
    let a = normalized(left)
    let b = normalized(right)
    guard !a.isEmpty, !b.isEmpty else { return false }
    return a == b || a.hasSuffix("-" + b) || a.hasSuffix("_" + b) || b.hasSuffix("-" + a) || b.hasSuffix("_" + a)
      || a.hasPrefix(b + "-") || b.hasPrefix(a + "-")
  }
}

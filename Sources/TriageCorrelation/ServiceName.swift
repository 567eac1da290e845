import Synchronization

/// Service names as logs and spans spell them: `worker-1` (a compose replica), `tickets-worker-1`
/// (with the project), `worker` (OTel `service.name`).
enum ServiceName {
  /// Names normalized so far: a run has few services, and incident building asks for each
  /// once per finding.
  private static let normalizedNames = Mutex<[String: String]>([:])

  /// Lowercase, without a replica number (`worker-1` → `worker`) or a Deployment pod's
  /// generated parts (`worker-7d9f8b6c5-x2x9k` → `worker`). Memoized (up to 4,096 names).
  static func normalized(_ name: String) -> String {
    if let known = normalizedNames.withLock({ $0[name] }) { return known }
    let result = computeNormalized(name)
    normalizedNames.withLock { if $0.count < 4_096 { $0[name] = result } }
    return result
  }

  private static func computeNormalized(_ name: String) -> String {
    if let deployment = deploymentName(ofPod: name) { return normalized(deployment) }
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

  /// Whether `name` is `base` with a server suffix (`rabbitmq-server`, `postgres-16-main`,
  /// `redis-primary`): not any longer name (`postgres-exporter`, `api-gateway` are other services).
  static func isServerName(_ name: String, of base: String) -> Bool {
    guard name.hasPrefix(base + "-") else { return false }
    let parts = name.dropFirst(base.count + 1).split(separator: "-")
    return !parts.isEmpty && parts.allSatisfy { part in
      ["server", "main", "primary", "master", "leader"].contains(part) || part.allSatisfy { $0.isNumber || $0 == "." }
    }
  }

  /// A Deployment's pod (`scan-worker-6f9c7d8b5-x7k2p`: the ReplicaSet's template hash, then
  /// five random characters, both from Kubernetes' alphabet without vowels) without its two
  /// generated parts; nil for other names.
  static func deploymentName(ofPod name: String) -> String? {
    let parts = name.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count >= 3 else { return nil }
    let suffix = parts[parts.count - 1]
    let hash = parts[parts.count - 2]
    func generated(_ part: Substring) -> Bool { part.allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) } }
    guard suffix.count == 5, generated(suffix), (6...10).contains(hash.count), generated(hash), hash.contains(where: \.isNumber)
    else { return nil }
    return parts.dropLast(2).joined(separator: "-")
  }

  /// Whether `name` is a container id (12 or 64 lowercase hex digits), as a docker json-file's
  /// directory names its container.
  static func isContainerID(_ name: String) -> Bool {
    (name.utf8.count == 12 || name.utf8.count == 64) && name.utf8.allSatisfy { $0 &- 0x30 < 10 || $0 &- 0x61 < 6 }
  }

  /// Whether two spellings name the same service: equal once normalised, or one is the other
  /// with a project prefix (`tickets-worker`) or a suffix (`rabbitmq-server`, `postgres-16-main`).
  static func matches(_ left: String, _ right: String) -> Bool {
    let a = normalized(left)
    let b = normalized(right)
    guard !a.isEmpty, !b.isEmpty else { return false }
    return a == b || a.hasSuffix("-" + b) || a.hasSuffix("_" + b) || b.hasSuffix("-" + a) || b.hasSuffix("_" + a)
      || isServerName(a, of: b) || isServerName(b, of: a)
  }
}

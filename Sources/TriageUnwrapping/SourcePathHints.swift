/// What a source's path says about the stream inside it (kubelet and docker layouts).
public struct SourcePathHints: Sendable, Equatable {
  /// The service (pod name, or a docker container's short id), if the path says.
  public var service: String?
  /// The service an application's own log file is named after, for lines that name none.
  public var fileService: String?

  /// Reads the hints from a source name (a path, or `ARCHIVE:member/path`).
  ///
  /// - `…/pods/<namespace>_<pod>_<uid>/<container>/N.log` (kubelet): the pod name.
  /// - `…/containers/<pod>_<namespace>_<container>-<id>.log` (kubelet symlinks): the pod name.
  /// - `…/containers/<id>/<id>-json.log` (docker json-file): the first 12 hex digits of the id.
  ///
  /// Otherwise, an application's own log file, `NAME.log` (rotated `NAME.log.1`, `.gz`,
  /// `NAME-20251103.log`), gives NAME as ``fileService``, as in
  /// `/var/log/postgresql/postgresql-16-main.log`; not captures named after the tool
  /// (`compose.log`, `dmesg.log`, `syslog`, `0.log` …).
  public init(sourceName: String) {
    let path = sourceName.split(separator: ":").last.map(String.init) ?? sourceName
    let parts = path.split(separator: "/").map(String.init)
    if let podsIndex = parts.lastIndex(of: "pods"), podsIndex + 1 < parts.count {
      let fields = parts[podsIndex + 1].split(separator: "_")
      if fields.count >= 3 { service = String(fields[1]); return }
    }
    if let containersIndex = parts.lastIndex(of: "containers"), containersIndex + 1 < parts.count {
      let next = parts[containersIndex + 1]
      if containersIndex + 2 < parts.count, next.count == 64, next.allSatisfy(\.isHexDigit) {
        service = String(next.prefix(12))
        return
      }
      let fields = next.split(separator: "_")
      if fields.count >= 3, next.hasSuffix(".log") { service = String(fields[0]); return }
    }
    if let name = parts.last { fileService = Self.applicationName(fileName: name) }
  }

  /// File names that say which tool captured the lines, not which service wrote them.
  static let captureNames: Set<String> = [
    "compose", "docker", "docker-compose", "dmesg", "kern", "kernel", "syslog", "messages", "journal", "daemon", "output",
    "out", "stdout", "stderr", "console", "log", "logs", "all", "combined", "current", "latest", "debug", "error", "errors",
  ]

  /// NAME for `NAME.log`, `NAME.log.3`, `NAME.log.2.gz`, `NAME-20251103.log`; nil otherwise.
  static func applicationName(fileName: String) -> String? {
    var name = Substring(fileName)
    if name.hasSuffix(".gz") { name = name.dropLast(3) }
    if let dot = name.lastIndex(of: "."), name[name.index(after: dot)...].allSatisfy(\.isNumber), dot < name.index(before: name.endIndex) {
      name = name[..<dot]
    }
    guard name.hasSuffix(".log") else { return nil }
    name = name.dropLast(4)
    if let dash = name.lastIndex(of: "-"), name.distance(from: dash, to: name.endIndex) >= 9,
      name[name.index(after: dash)...].allSatisfy(\.isNumber)
    {
      name = name[..<dash]
    }
    guard name.contains(where: \.isLetter), !captureNames.contains(name.lowercased()) else { return nil }
    return String(name)
  }
}

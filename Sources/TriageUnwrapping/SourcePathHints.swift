/// What a source's path says about the stream inside it (kubelet and docker layouts).
public struct SourcePathHints: Sendable, Equatable {
  /// The service (pod name, or a docker container's short id), if the path says.
  public var service: String?

  /// Reads the hints from a source name (a path, or `ARCHIVE:member/path`).
  ///
  /// - `…/pods/<namespace>_<pod>_<uid>/<container>/N.log` (kubelet): the pod name.
  /// - `…/containers/<pod>_<namespace>_<container>-<id>.log` (kubelet symlinks): the pod name.
  /// - `…/containers/<id>/<id>-json.log` (docker json-file): the first 12 hex digits of the id.
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
  }
}

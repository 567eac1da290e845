/// Kubelet's reference to a pod, `scan-worker-6f9c7d8b5-x7k2p_scanning(5d0c8a31-7f2e-4b9a-a6c1-93e2f4d81b07)`:
/// the pod's name, its namespace and its UID. The UID is what ties a kernel OOM report (whose
/// cgroup path is `kubepods-burstable-pod5d0c8a31_7f2e_….slice`) to the pod's name.
enum PodReference {
  /// The pod's name: the text before `_<namespace>(<uid>)`, or the whole reference.
  static func name(_ reference: String) -> String {
    guard reference.hasSuffix(")"), let open = reference.firstIndex(of: "("), let underscore = reference[..<open].lastIndex(of: "_") else {
      return reference
    }
    return String(reference[..<underscore])
  }

  /// The UID spelled as the cgroup path spells it (`_` for `-`); nil without one.
  static func uid(_ reference: String) -> String? {
    guard reference.hasSuffix(")"), let open = reference.firstIndex(of: "(") else { return nil }
    let uid = reference[reference.index(after: open)..<reference.index(before: reference.endIndex)]
    return uid.count == 36 ? uid.replacingOccurrences(of: "-", with: "_") : nil
  }
}

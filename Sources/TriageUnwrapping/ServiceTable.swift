import TriageInput

/// Interns service and stream names so records carry small ids instead of strings.
///
/// Lookups compare bytes; a one-entry cache makes the common case (the same service as the
/// previous line) a single `memcmp`. Not thread-safe: one table per pipeline.
/// - Complexity: O(1) for a repeat of the last name; O(k) for k names otherwise (k is small:
///   services in one capture).
public final class ServiceTable {
  public typealias ID = Int32

  private var names: [String] = []
  private var bytes: [[UInt8]] = []
  private var lastID: ID = -1
  private var index: [[UInt8]: ID] = [:]

  public init() {}

  /// The id of `name`, adding it if new.
  public func intern(_ name: UnsafeBufferPointer<UInt8>) -> ID {
    if lastID >= 0 {
      let last = bytes[Int(lastID)]
      if last.count == name.count
        && (name.count == 0 || last.withUnsafeBufferPointer({ memcmp($0.baseAddress!, name.baseAddress!, name.count) == 0 }))
      {
        return lastID
      }
    }
    let key = Array(name)
    if let id = index[key] { lastID = id; return id }
    let id = ID(names.count)
    names.append(name.string)
    bytes.append(key)
    index[key] = id
    lastID = id
    return id
  }

  /// The id of `name`, adding it if new.
  public func intern(_ name: String) -> ID {
    var copy = name
    return copy.withUTF8 { intern($0) }
  }

  /// The name behind an id.
  public func name(_ id: ID) -> String { names[Int(id)] }

  /// Every name interned so far, in id order.
  public var allNames: [String] { names }
}

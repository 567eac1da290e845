/// Interned strings: names repeat across spans, so each is stored once. ID 0 is the empty
/// string and means "none".
public final class StringTable: @unchecked Sendable {
  public typealias ID = UInt32
  private var ids: [String: ID] = ["": 0]
  public private(set) var strings: [String] = [""]

  public init() {}

  public func intern(_ string: String) -> ID {
    if let id = ids[string] { return id }
    let id = ID(strings.count)
    strings.append(string)
    ids[string] = id
    return id
  }

  public subscript(id: ID) -> String { strings[Int(id)] }
}

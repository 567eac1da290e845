import TriageInput
import TriageUnwrapping

/// A JSON value parsed into a flat, pre-order array of nodes over borrowed bytes.
///
/// Span dumps are read one unit at a time (a trace, a `resourceSpans` element, a JSON line),
/// so a tree is small; parsing it costs one pass and no allocation once the node array has
/// grown (reuse one tree with ``parse(_:)``). Strings stay escaped in the bytes until asked
/// for; literals and the characters of numbers are checked. Nesting is followed with an explicit stack, so any depth is safe. Numbers are kept as
/// text and read as integers digit by digit: nothing goes through `Double`.
/// - Complexity: O(n) to parse; a key lookup is linear in the object's members.
public struct JSONTree {
  public enum Kind: UInt8, Sendable { case object, array, string, number, literal }

  /// One value. `start..<end` is a string's body (between the quotes) or the value's text;
  /// `subtreeEnd` is the index of the node after its last descendant (its next sibling).
  struct Node {
    var start: Int32
    var end: Int32
    var subtreeEnd: Int32
    var kind: Kind
    var hasEscapes: Bool
  }

  /// Why parsing failed, and where (a byte offset into the unit).
  public struct SyntaxError: Error, Sendable {
    public let offset: Int
    public let reason: String
  }

  /// A value in the tree: an index, resolved through the tree.
  public typealias Index = Int

  public private(set) var bytes = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
  var nodes: [Node] = []
  private var open: [Int32] = []

  /// The largest unit one tree takes (node offsets are 32-bit).
  public static let maximumLength = Int(Int32.max) - 1

  public init() {}

  /// The root value.
  public var root: Index { 0 }

  /// Parses one JSON value that fills `bytes` (surrounding whitespace allowed). The bytes must
  /// stay valid while the tree is used.
  public mutating func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(SyntaxError) {
    guard bytes.count <= Self.maximumLength else {
      throw SyntaxError(offset: 0, reason: "a single JSON value of \(bytes.count) bytes is larger than 2 GiB")
    }
    self.bytes = bytes
    nodes.removeAll(keepingCapacity: true)
    open.removeAll(keepingCapacity: true)
    let count = bytes.count
    var index = bytes.skippingJSONWhitespace(from: 0)
    // Each turn reads one value (after an opening bracket, a comma or a colon), then closes
    // whatever containers end after it.
    while true {
      guard index < count else { throw SyntaxError(offset: index, reason: "the JSON ends early") }
      let byte = bytes[index]
      switch byte {
      case UInt8(ascii: "{"), UInt8(ascii: "["):
        let isObject = byte == UInt8(ascii: "{")
        open.append(Int32(nodes.count))
        nodes.append(Node(start: Int32(index), end: 0, subtreeEnd: 0, kind: isObject ? .object : .array, hasEscapes: false))
        index = bytes.skippingJSONWhitespace(from: index + 1)
        guard index < count else { throw SyntaxError(offset: index, reason: "the JSON ends early") }
        if bytes[index] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
          // Empty container: close it below.
        } else {
          if isObject { index = try readKey(at: index) }
          continue
        }
      case UInt8(ascii: "\""):
        guard let (end, escaped) = JSONObjectScanner.scanStringBody(bytes, from: index + 1) else {
          throw SyntaxError(offset: index, reason: "a string is not closed")
        }
        nodes.append(Node(start: Int32(index + 1), end: Int32(end), subtreeEnd: Int32(nodes.count + 1), kind: .string, hasEscapes: escaped))
        index = end + 1
      default:
        var end = index
        while end < count {
          let scalar = bytes[end]
          if scalar == UInt8(ascii: ",") || scalar == UInt8(ascii: "}") || scalar == UInt8(ascii: "]") || scalar <= 0x20 { break }
          end += 1
        }
        guard end > index else { throw SyntaxError(offset: index, reason: "a value is missing") }
        let first = bytes[index]
        let kind: Kind = first == UInt8(ascii: "-") || first &- 0x30 < 10 ? .number : .literal
        let text = bytes.slice(index, end)
        if kind == .literal {
          guard text.equals("true") || text.equals("false") || text.equals("null") else {
            throw SyntaxError(offset: index, reason: "'\(String(decoding: text.prefix(20), as: UTF8.self))' is not a JSON value")
          }
        } else if !text.allSatisfy({ $0 &- 0x30 < 10 || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") }) {
          throw SyntaxError(offset: index, reason: "'\(String(decoding: text.prefix(20), as: UTF8.self))' is not a JSON number")
        }
        nodes.append(Node(start: Int32(index), end: Int32(end), subtreeEnd: Int32(nodes.count + 1), kind: kind, hasEscapes: false))
        index = end
      }
      // After a value: a comma continues the innermost container, a bracket closes it.
      while true {
        index = bytes.skippingJSONWhitespace(from: index)
        guard let top = open.last else {
          guard index == count else { throw SyntaxError(offset: index, reason: "unexpected bytes after the JSON value") }
          return
        }
        guard index < count else { throw SyntaxError(offset: index, reason: "the JSON ends early") }
        let isObject = nodes[Int(top)].kind == .object
        let byte = bytes[index]
        if byte == UInt8(ascii: ",") {
          index = bytes.skippingJSONWhitespace(from: index + 1)
          if isObject { index = try readKey(at: index) }
          break
        }
        guard byte == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
          throw SyntaxError(offset: index, reason: isObject ? "expected ',' or '}'" : "expected ',' or ']'")
        }
        nodes[Int(top)].end = Int32(index + 1)
        nodes[Int(top)].subtreeEnd = Int32(nodes.count)
        open.removeLast()
        index += 1
      }
    }
  }

  /// Reads `"key" :` and returns the offset of the value after it.
  private mutating func readKey(at offset: Int) throws(SyntaxError) -> Int {
    guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\""),
      let (end, escaped) = JSONObjectScanner.scanStringBody(bytes, from: offset + 1)
    else { throw SyntaxError(offset: offset, reason: "expected a member name") }
    nodes.append(Node(start: Int32(offset + 1), end: Int32(end), subtreeEnd: Int32(nodes.count + 1), kind: .string, hasEscapes: escaped))
    let colon = bytes.skippingJSONWhitespace(from: end + 1)
    guard colon < bytes.count, bytes[colon] == UInt8(ascii: ":") else {
      throw SyntaxError(offset: colon, reason: "expected ':' after a member name")
    }
    return bytes.skippingJSONWhitespace(from: colon + 1)
  }

  // MARK: Reading

  public func kind(_ index: Index) -> Kind { nodes[index].kind }

  /// The value's bytes: a string's body (still escaped) or the text of anything else.
  public func raw(_ index: Index) -> UnsafeBufferPointer<UInt8> {
    let node = nodes[index]
    return bytes.slice(Int(node.start), Int(node.end))
  }

  /// Calls `body` with each member (key, value) of an object; nothing for other kinds.
  public func forEachMember(_ object: Index, _ body: (UnsafeBufferPointer<UInt8>, Index) -> Void) {
    guard nodes[object].kind == .object else { return }
    var key = object + 1
    let end = Int(nodes[object].subtreeEnd)
    while key < end {
      let value = key + 1
      body(raw(key), value)
      key = Int(nodes[value].subtreeEnd)
    }
  }

  /// Calls `body` with each element of an array; nothing for other kinds.
  public func forEachElement(_ array: Index, _ body: (Index) -> Void) {
    guard nodes[array].kind == .array else { return }
    var element = array + 1
    let end = Int(nodes[array].subtreeEnd)
    while element < end {
      body(element)
      element = Int(nodes[element].subtreeEnd)
    }
  }

  /// The number of elements of an array or members of an object.
  public func childCount(_ index: Index) -> Int {
    var count = 0
    if nodes[index].kind == .object { forEachMember(index) { _, _ in count += 1 } }
    if nodes[index].kind == .array { forEachElement(index) { _ in count += 1 } }
    return count
  }

  /// The value of the first member named `key` (unescaped names are compared byte for byte).
  public func value(_ object: Index, _ key: StaticString) -> Index? {
    guard nodes[object].kind == .object else { return nil }
    var member = object + 1
    let end = Int(nodes[object].subtreeEnd)
    while member < end {
      let value = member + 1
      if raw(member).equals(key) { return value }
      member = Int(nodes[value].subtreeEnd)
    }
    return nil
  }

  /// A string value unescaped, or the text of a number or literal.
  public func string(_ index: Index) -> String {
    let node = nodes[index]
    guard node.hasEscapes else { return String(decoding: raw(index), as: UTF8.self) }
    let buffer = ByteBuffer(capacity: Int(node.end - node.start))
    JSONObjectScanner.unescape(raw(index), into: buffer)
    return String(decoding: buffer.bytes, as: UTF8.self)
  }

  /// A string value, or nil for other kinds and for the empty string.
  public func nonEmptyString(_ index: Index?) -> String? {
    guard let index, nodes[index].kind == .string, nodes[index].end > nodes[index].start else { return nil }
    return string(index)
  }

  /// An unsigned integer from a number or a decimal string (OTLP writes 64-bit values as
  /// strings); nil for fractions, negatives, overflow and other kinds.
  public func unsignedInteger(_ index: Index?) -> UInt64? {
    guard let index, nodes[index].kind == .number || nodes[index].kind == .string else { return nil }
    let digits = raw(index)
    guard !digits.isEmpty, digits.count <= 20 else { return nil }
    var value: UInt64 = 0
    for byte in digits {
      guard byte &- 0x30 < 10 else { return nil }
      let (times, overflowA) = value.multipliedReportingOverflow(by: 10)
      let (sum, overflowB) = times.addingReportingOverflow(UInt64(byte &- 0x30))
      guard !overflowA && !overflowB else { return nil }
      value = sum
    }
    return value
  }

  /// `true`/`false` as literals or strings (real Jaeger files write `"value":"true"`), and
  /// numbers (non-zero is true).
  public func bool(_ index: Index?) -> Bool? {
    guard let index else { return nil }
    let text = raw(index)
    if text.equals("true") || text.equals("True") { return true }
    if text.equals("false") || text.equals("False") { return false }
    if let number = unsignedInteger(index) { return number != 0 }
    return nil
  }
}

extension UnsafeBufferPointer where Element == UInt8 {
  /// Whether the bytes are exactly `literal`.
  @inlinable
  public func equals(_ literal: StaticString) -> Bool {
    guard count == literal.utf8CodeUnitCount else { return false }
    return count == 0 || memcmp(baseAddress!, literal.utf8Start, count) == 0
  }
}

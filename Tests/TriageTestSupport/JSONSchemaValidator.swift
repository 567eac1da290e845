import Foundation

/// Validates JSON values (as `JSONSerialization` reads them) against the subset of JSON Schema
/// that `docs/schema/` uses: `type` (one or several), `enum`, `required`, `properties`,
/// `additionalProperties` (a schema), `items`, `pattern`.
public struct JSONSchemaValidator {
  let schema: [String: Any]

  public init(schemaFile path: String) throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    guard let schema = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw CocoaError(.fileReadCorruptFile)
    }
    self.schema = schema
  }

  /// Every place where `value` breaks the schema, as `path: reason`; empty when it conforms.
  public func errors(in value: Any) -> [String] {
    var errors: [String] = []
    check(value, against: schema, at: "$", into: &errors)
    return errors
  }

  private func check(_ value: Any, against schema: [String: Any], at path: String, into errors: inout [String]) {
    if let options = schema["enum"] as? [Any] {
      if !options.contains(where: { Self.equal($0, value) }) { errors.append("\(path): \(value) is not one of \(options)") }
      return
    }
    if let types = schema["type"].map({ $0 as? [String] ?? [$0 as! String] }), !types.contains(where: { Self.isType(value, $0) }) {
      errors.append("\(path): expected \(types.joined(separator: " or ")), found \(type(of: value)) \(value)")
      return
    }
    if let pattern = schema["pattern"] as? String, let string = value as? String {
      let regex = try! NSRegularExpression(pattern: pattern)
      if regex.firstMatch(in: string, range: NSRange(string.startIndex..., in: string)) == nil {
        errors.append("\(path): \"\(string)\" does not match \(pattern)")
      }
    }
    if let object = value as? [String: Any] {
      for key in schema["required"] as? [String] ?? [] where object[key] == nil { errors.append("\(path): missing \(key)") }
      let properties = schema["properties"] as? [String: [String: Any]] ?? [:]
      for (key, member) in object {
        if let memberSchema = properties[key] {
          check(member, against: memberSchema, at: path + "." + key, into: &errors)
        } else if let additional = schema["additionalProperties"] as? [String: Any] {
          check(member, against: additional, at: path + "." + key, into: &errors)
        }
      }
    }
    if let array = value as? [Any], let items = schema["items"] as? [String: Any] {
      for (index, element) in array.enumerated() { check(element, against: items, at: "\(path)[\(index)]", into: &errors) }
    }
  }

  static func isType(_ value: Any, _ type: String) -> Bool {
    switch type {
    case "null": return value is NSNull
    case "string": return value is String
    case "object": return value is [String: Any]
    case "array": return value is [Any]
    case "boolean": return (value as? NSNumber).map(isBoolean) ?? false
    case "integer":
      guard let number = value as? NSNumber, !isBoolean(number) else { return false }
      return number.doubleValue == number.doubleValue.rounded()
    case "number": return (value as? NSNumber).map { !isBoolean($0) } ?? false
    default: return false
    }
  }

  static func isBoolean(_ number: NSNumber) -> Bool { String(cString: number.objCType) == "c" }

  static func equal(_ left: Any, _ right: Any) -> Bool {
    if left is NSNull || right is NSNull { return left is NSNull && right is NSNull }
    if let left = left as? String, let right = right as? String { return left == right }
    return false
  }
}

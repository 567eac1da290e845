import TriageClassification

/// Encodes a finding as JSON (the `findings[]` shape of CONTRACT.md, less the report-level
/// fields: id, service, time and source come from the event that carries it).
public enum FindingJSON {
  public static func append(_ finding: Finding, to out: inout [UInt8]) {
    out.append(0x7B)
    TextEncoding.appendJSONMember("category", finding.category.rawValue, to: &out, first: true)
    TextEncoding.appendJSONMember("signature", finding.signature, to: &out)
    TextEncoding.appendJSONMember("confidence", finding.confidence.rawValue, to: &out)
    TextEncoding.appendJSONMember("fingerprint", finding.fingerprint, to: &out)
    TextEncoding.appendJSONMember("title", finding.pattern.title, to: &out)
    TextEncoding.appendJSONMember("next", finding.pattern.remediation, to: &out)
    out.append(contentsOf: #","captures":"#.utf8)
    appendCaptures(finding.captures, to: &out)
    out.append(0x7D)
  }

  /// A finding's captures as one JSON object, keys sorted.
  public static func appendCaptures(_ captures: [String: String], to out: inout [UInt8]) {
    out.append(0x7B)
    for (index, (key, value)) in captures.sorted(by: { $0.key < $1.key }).enumerated() {
      if index > 0 { out.append(0x2C) }
      TextEncoding.appendJSONString(key, to: &out)
      out.append(0x3A)
      TextEncoding.appendJSONString(value, to: &out)
    }
    out.append(0x7D)
  }
}

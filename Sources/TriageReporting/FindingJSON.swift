import TriageClassification

/// Encodes a finding as JSON (the `findings[]` shape of CONTRACT.md, less the report-level
/// fields: id, service, time and source come from the event that carries it).
public enum FindingJSON {
  public static func append(_ finding: Finding, to out: inout [UInt8]) {
    out.append(contentsOf: #"{"category":"#.utf8)
    TextEncoding.appendJSONString(finding.category.rawValue, to: &out)
    out.append(contentsOf: #","signature":"#.utf8)
    TextEncoding.appendJSONString(finding.signature, to: &out)
    out.append(contentsOf: #","confidence":"#.utf8)
    TextEncoding.appendJSONString(finding.confidence.rawValue, to: &out)
    out.append(contentsOf: #","fingerprint":"#.utf8)
    TextEncoding.appendJSONString(finding.fingerprint, to: &out)
    out.append(contentsOf: #","title":"#.utf8)
    TextEncoding.appendJSONString(finding.pattern.title, to: &out)
    out.append(contentsOf: #","next":"#.utf8)
    TextEncoding.appendJSONString(finding.pattern.remediation, to: &out)
    out.append(contentsOf: #","captures":{"#.utf8)
    for (index, (key, value)) in finding.captures.sorted(by: { $0.key < $1.key }).enumerated() {
      if index > 0 { out.append(0x2C) }
      TextEncoding.appendJSONString(key, to: &out)
      out.append(0x3A)
      TextEncoding.appendJSONString(value, to: &out)
    }
    out.append(contentsOf: "}}".utf8)
  }
}

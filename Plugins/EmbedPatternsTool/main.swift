import Foundation

// Usage: EmbedPatternsTool OUTPUT.swift PATTERN.yaml...
// Writes a Swift file holding each pattern file's name and text as a raw string literal.
let arguments = CommandLine.arguments.dropFirst()
guard let output = arguments.first else {
  FileHandle.standardError.write(Data("usage: EmbedPatternsTool OUTPUT.swift FILE.yaml...\n".utf8))
  exit(64)
}
var source = """
  // Generated from Patterns/*.yaml by the EmbedPatterns build plugin. Do not edit.

  /// The built-in pattern files, compiled into the binary: (file name, YAML text).
  let embeddedPatternFiles: [(name: String, text: String)] = [

  """
for path in arguments.dropFirst() {
  let url = URL(fileURLWithPath: path)
  let text = try String(contentsOf: url, encoding: .utf8)
  // A raw string with enough #s that the text cannot end it.
  var hashes = "#"
  // Neither a quote nor a backslash followed by the delimiter's #s may occur in the text.
  while text.contains("\"" + hashes) || text.contains("\\" + hashes) { hashes += "#" }
  source += "  (name: \"\(url.lastPathComponent)\", text: \(hashes)\"\"\"\n\(text)\n\"\"\"\(hashes)),\n"
}
source += "]\n"
try source.write(to: URL(fileURLWithPath: output), atomically: true, encoding: .utf8)

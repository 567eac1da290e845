import TriageInput

/// Finds the repository and the shared corpus from a test file's location.
public enum RepositoryPaths {
  /// The package root (the directory holding Package.swift), found by walking up from this file.
  public static let root: String = {
    var directory = String(#filePath)
    while let slash = directory.lastIndex(of: "/") {
      directory = String(directory[..<slash])
      if access(directory + "/Package.swift", F_OK) == 0 { return directory }
    }
    fatalError("Package.swift not found above \(#filePath)")
  }()

  /// `shared/` beside the checkout (CI puts it there).
  public static let shared: String = root + "/../shared"

  /// The detect-exceptions corpus directory.
  public static let detectExceptions: String = shared + "/corpus/detect-exceptions"

  /// Reads a file's bytes.
  public static func read(_ path: String) -> [UInt8] {
    guard let file = fopen(path, "rb") else { fatalError("cannot open \(path)") }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = fread(&chunk, 1, chunk.count, file)
      if count <= 0 { break }
      bytes += chunk[0..<count]
    }
    return bytes
  }

  /// The names in a directory, sorted.
  public static func list(_ directory: String) -> [String] {
    guard let handle = opendir(directory) else { return [] }
    defer { closedir(handle) }
    var names: [String] = []
    while let entry = readdir(handle) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
  }

  /// A new empty temporary directory.
  public static func temporaryDirectory() -> String {
    var template = Array("/tmp/triage-test-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { fatalError("mkdtemp failed") }
    return String(cString: made)
  }

  /// Writes bytes to a file.
  public static func write(_ bytes: [UInt8], to path: String) {
    guard let file = fopen(path, "wb") else { fatalError("cannot create \(path)") }
    _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    fclose(file)
  }
}

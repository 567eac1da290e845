import Foundation
import PackagePlugin

/// Generates `EmbeddedPatterns.swift` from the package's `Patterns/*.yaml`, so the built-in
/// crash-signature catalog is compiled into the binary. Rebuilds when a pattern file changes.
@main
struct EmbedPatterns: BuildToolPlugin {
  func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
    let patterns = context.package.directoryURL.appending(path: "Patterns")
    let files = (try? FileManager.default.contentsOfDirectory(at: patterns, includingPropertiesForKeys: nil)) ?? []
    let yaml = files.filter { $0.pathExtension == "yaml" || $0.pathExtension == "yml" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedPatterns.swift")
    return [
      .buildCommand(
        displayName: "Embedding \(yaml.count) pattern files",
        executable: try context.tool(named: "EmbedPatternsTool").url,
        arguments: [output.path] + yaml.map(\.path),
        inputFiles: yaml,
        outputFiles: [output]
      )
    ]
  }
}

// swift-tools-version: 6.2
import PackageDescription

// One module per stage of shared/design/ARCHITECTURE.md; each imports only the stages above it.

/// The hot-path stages touch class state once per line; Swift's dynamic exclusivity checks cost
/// ~20% of a run there (measured with callgrind, see Benchmarks/RESULTS.md). Static checks stay on.
/// `TRIAGE_FUZZING=1` (set by Fuzz/run.sh, which builds into .build-fuzz/) instruments every
/// module for libFuzzer and AddressSanitizer; build tools and plugins stay as they are.
let fuzzing = Context.environment["TRIAGE_FUZZING"] == "1"
let fuzzSettings: [SwiftSetting] = fuzzing ? [.unsafeFlags(["-sanitize=fuzzer,address"]), .define("TRIAGE_FUZZING")] : []
let hotPathSettings: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"])] + fuzzSettings

let package = Package(
  name: "triage",
  products: [.executable(name: "triage", targets: ["triage"])],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
  ],
  targets: [
    .systemLibrary(
      name: "CTriageZlib",
      path: "Sources/CTriageZlib",
      pkgConfig: "zlib",
      providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
    ),
    .target(name: "TriageInput", dependencies: ["CTriageZlib"], swiftSettings: hotPathSettings),
    .target(
      name: "TriageUnwrapping", dependencies: ["TriageInput"], swiftSettings: hotPathSettings,
      // The toolchain's ICU (the one NSRegularExpression uses), called directly on UTF-8.
      linkerSettings: [.linkedLibrary("_FoundationICU")]
    ),
    // Span dumps (Jaeger, OTLP, Zipkin, Tempo JSON) read into spans and log records.
    .target(name: "TriageSpans", dependencies: ["TriageInput", "TriageUnwrapping"], swiftSettings: hotPathSettings),
    .target(
      name: "TriageAssembly", dependencies: ["TriageInput", "TriageUnwrapping", "TriageSpans"], swiftSettings: hotPathSettings
    ),
    .target(
      name: "TriageClassification",
      dependencies: ["TriageInput", "TriageUnwrapping", "TriageAssembly", .product(name: "Yams", package: "Yams")],
      swiftSettings: hotPathSettings,
      plugins: ["EmbedPatterns"]
    ),
    // Traces joined with log events and findings; trace health.
    .target(
      name: "TriageCorrelation",
      dependencies: ["TriageUnwrapping", "TriageSpans", "TriageAssembly", "TriageClassification"],
      swiftSettings: fuzzSettings
    ),
    .target(
      name: "TriageReporting",
      dependencies: ["TriageInput", "TriageUnwrapping", "TriageSpans", "TriageAssembly", "TriageClassification", "TriageCorrelation"],
      swiftSettings: hotPathSettings
    ),
    // Compiles Patterns/*.yaml into the binary, so a release binary copied alone has its catalog.
    .executableTarget(name: "EmbedPatternsTool", path: "Plugins/EmbedPatternsTool"),
    .plugin(name: "EmbedPatterns", capability: .buildTool(), dependencies: ["EmbedPatternsTool"]),
    .target(
      name: "TriageCLI",
      dependencies: [
        "TriageInput", "TriageUnwrapping", "TriageSpans", "TriageAssembly", "TriageClassification", "TriageCorrelation",
        "TriageReporting", .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // Release builds link the Swift runtime and Foundation into the binary: one file to copy
    // to a host, and about 7 MB less resident memory than the shared libraries' touched pages.
    .executableTarget(
      name: "triage", dependencies: ["TriageCLI"],
      linkerSettings: [
        .unsafeFlags(["-static-stdlib", "-lCoreFoundation", "-l_FoundationCollections", "-l_FoundationCShims", "-l_FoundationICU"], .when(platforms: [.linux], configuration: .release))
      ]
    ),
    // Fuzzing (Fuzz/run.sh): the targets, replayed by the tests, and libFuzzer's entry point.
    .target(
      name: "TriageFuzzTargets",
      dependencies: ["TriageInput", "TriageUnwrapping", "TriageSpans", "TriageAssembly", "TriageClassification", "TriageCorrelation", "TriageTestSupport"],
      swiftSettings: fuzzSettings
    ),
    .systemLibrary(name: "CLibFuzzer", path: "Sources/CLibFuzzer"),
    .executableTarget(
      name: "triage-fuzz", dependencies: ["TriageFuzzTargets", "CLibFuzzer"], path: "Sources/TriageFuzz",
      swiftSettings: [.unsafeFlags(["-parse-as-library"])] + fuzzSettings,
      linkerSettings: fuzzing ? [.unsafeFlags(["-sanitize=fuzzer,address"])] : []
    ),

    .target(
      name: "TriageTestSupport", dependencies: ["TriageInput", "TriageUnwrapping", "TriageAssembly", "CTriageZlib"],
      path: "Tests/TriageTestSupport", swiftSettings: fuzzSettings
    ),
    .testTarget(name: "TriageInputTests", dependencies: ["TriageInput", "TriageTestSupport"]),
    .testTarget(name: "TriageUnwrappingTests", dependencies: ["TriageUnwrapping", "TriageTestSupport"]),
    .testTarget(
      name: "TriageAssemblyTests",
      dependencies: ["TriageAssembly", "TriageUnwrapping", "TriageInput", "TriageTestSupport"]
    ),
    .testTarget(
      name: "TriageClassificationTests",
      dependencies: ["TriageClassification", "TriageAssembly", "TriageUnwrapping", "TriageTestSupport"]
    ),
    .testTarget(name: "TriageSpansTests", dependencies: ["TriageSpans", "TriageUnwrapping", "TriageTestSupport"]),
    .testTarget(
      name: "TriageCorrelationTests",
      dependencies: ["TriageCorrelation", "TriageSpans", "TriageAssembly", "TriageClassification", "TriageReporting", "TriageTestSupport"]
    ),
    .testTarget(name: "TriageFuzzTargetsTests", dependencies: ["TriageFuzzTargets", "TriageTestSupport"]),
    .testTarget(
      name: "TriageCLITests",
      dependencies: ["triage", "TriageCLI", "TriageReporting", "TriageAssembly", "TriageTestSupport"]
    ),
  ]
)

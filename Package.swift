// swift-tools-version: 6.0
import PackageDescription

// Release builds name generic types' metadata through accessor functions instead of mangled
// names that the runtime demangles on first use (a quarter of a short command's instructions).
let release: [SwiftSetting] = [
    .unsafeFlags(["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"], .when(configuration: .release)),
]

let package = Package(
    name: "incident",
    products: [
        .executable(name: "incident", targets: ["incident"]),
        .library(name: "IncidentKit", targets: ["IncidentKit"]),
    ],
    targets: [
        // Build-time tool: turns runbooks/*.json and templates/*.md into Swift string literals,
        // so an installed binary carries the shipped policy with no checkout beside it.
        .executableTarget(name: "incident-embed"),
        .plugin(
            name: "EmbedResources",
            capability: .buildTool(),
            dependencies: ["incident-embed"]
        ),
        // Model, runbook, SLA engine, store, rendering. No terminal, no argv.
        .target(name: "IncidentKit", exclude: ["README.md"], swiftSettings: release, plugins: ["EmbedResources"]),
        // Command table, parser, help, output formatting. No file layout.
        .target(name: "IncidentCLI", dependencies: ["IncidentKit"], exclude: ["README.md"], swiftSettings: release),
        // A few lines: wire the process to IncidentCLI.
        .executableTarget(name: "incident", dependencies: ["IncidentCLI"], swiftSettings: release),
        // Benchmark only (scripts/bench.sh): a store generator and the start-up floor.
        .executableTarget(name: "incident-benchgen", dependencies: ["IncidentKit"]),
        .executableTarget(name: "incident-bench-floor", swiftSettings: release),
        .target(name: "TestSupport", dependencies: ["IncidentKit", "IncidentCLI"], path: "Tests/TestSupport"),
        .testTarget(name: "IncidentKitTests", dependencies: ["IncidentKit", "TestSupport"]),
        .testTarget(name: "IncidentCLITests", dependencies: ["IncidentCLI", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["incident", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

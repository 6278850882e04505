// swift-tools-version: 6.0
import PackageDescription

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
        .target(name: "IncidentKit", exclude: ["README.md"], plugins: ["EmbedResources"]),
        // Command table, parser, help, output formatting. No file layout.
        .target(name: "IncidentCLI", dependencies: ["IncidentKit"], exclude: ["README.md"]),
        // A few lines: wire the process to IncidentCLI.
        .executableTarget(name: "incident", dependencies: ["IncidentCLI"]),
        // Benchmark only (scripts/bench.sh): a store generator and the start-up floor.
        .executableTarget(name: "incident-benchgen", dependencies: ["IncidentKit"]),
        .executableTarget(name: "incident-bench-floor"),
        .target(name: "TestSupport", dependencies: ["IncidentKit", "IncidentCLI"], path: "Tests/TestSupport"),
        .testTarget(name: "IncidentKitTests", dependencies: ["IncidentKit", "TestSupport"]),
        .testTarget(name: "IncidentCLITests", dependencies: ["IncidentCLI", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["incident", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

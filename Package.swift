// swift-tools-version: 6.0
import PackageDescription

// Release builds name generic types' metadata through accessor functions instead of mangled
// names that the runtime demangles on first use (a quarter of a short command's instructions).
let release: [SwiftSetting] = [
    .unsafeFlags(["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"], .when(configuration: .release)),
    // One section per function, so the linker can place what start-up touches together (below).
    .unsafeFlags(["-Xfrontend", "-function-sections"], .when(platforms: [.linux], configuration: .release)),
]

// Release links on Linux use lld with scripts/startup-order.txt (made by scripts/startup-order.sh):
// the code and data the everyday commands touch, in first-touch order, packed into a few pages
// (start-up page faults are about half of a short command's time). Names missing from the build
// (a stale file) are skipped silently; the rest of the binary keeps the default order.
let packageDirectory = String(#filePath.dropLast("/Package.swift".count))
let releaseLink: [LinkerSetting] = [
    .unsafeFlags([
        "-use-ld=lld",
        "-Xlinker", "--symbol-ordering-file=\(packageDirectory)/scripts/startup-order.txt",
        "-Xlinker", "--no-warn-symbol-ordering",
    ], .when(platforms: [.linux], configuration: .release)),
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
        .executableTarget(name: "incident", dependencies: ["IncidentCLI"], swiftSettings: release, linkerSettings: releaseLink),
        // Benchmark only (scripts/bench.sh): a store generator and the start-up floor.
        .executableTarget(name: "incident-benchgen", dependencies: ["IncidentKit"]),
        .executableTarget(name: "incident-bench-floor", swiftSettings: release, linkerSettings: releaseLink),
        .target(name: "TestSupport", dependencies: ["IncidentKit", "IncidentCLI"], path: "Tests/TestSupport"),
        .testTarget(name: "IncidentKitTests", dependencies: ["IncidentKit", "TestSupport"]),
        .testTarget(name: "IncidentCLITests", dependencies: ["IncidentCLI", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["incident", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

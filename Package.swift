// swift-tools-version:6.0
import PackageDescription

// Module map (see docs/architecture.md):
//   CYAML, CCurl, CSQLite  system libraries (pkg-config yaml-0.1, libcurl, sqlite3)
//   CCurlShim              typed C wrappers for libcurl's variadic functions
//   DatumJSON              JSON value, parser and Go-compatible encoder (pure Swift)
//   DatumYAML              libyaml wrapper: positions, errors, kubectl-style emitter
//   DatumHTTP              libcurl wrapper: pooled HTTP client with retries and traces
//   DatumKit               models, CRD schema, validation, manifest loading
//   DatumCLI               hand-written argument parser, commands, printers
//   DatumSandbox           the local API server (only datumctl-sandbox links it)
let package = Package(
    name: "datumctl",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "datumctl", targets: ["datumctl"]),
        .executable(name: "datumctl-sandbox", targets: ["datumctl-sandbox"]),
        .executable(name: "datumctl-bench", targets: ["datumctl-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        .systemLibrary(
            name: "CYAML", pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]),
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]),
        .systemLibrary(
            name: "CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]),
        .target(name: "CCurlShim", dependencies: ["CCurl"]),

        .target(name: "DatumJSON", linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]),
        .target(name: "DatumYAML", dependencies: ["CYAML", "DatumJSON"]),
        .target(name: "DatumHTTP", dependencies: ["CCurlShim"]),
        .target(
            name: "DatumKit", dependencies: ["DatumJSON", "DatumYAML"],
            exclude: ["Upstream"]),
        .target(name: "DatumCLI", dependencies: ["DatumKit", "DatumHTTP", "DatumJSON", "DatumYAML"]),
        .executableTarget(name: "datumctl", dependencies: ["DatumCLI"]),
        .executableTarget(name: "datumctl-bench", dependencies: ["DatumYAML"]),

        .target(
            name: "DatumSandbox",
            dependencies: [
                "DatumKit", "DatumJSON", "DatumYAML", "CSQLite",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]),
        .executableTarget(name: "datumctl-sandbox", dependencies: ["DatumSandbox"]),

        // Shared by the test targets: golden files, temporary directories, process helpers.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "DatumJSONTests", dependencies: ["DatumJSON"]),
        .testTarget(name: "DatumYAMLTests", dependencies: ["DatumYAML", "DatumJSON", "TestSupport"], exclude: ["Snapshots"]),
        .testTarget(name: "DatumHTTPTests", dependencies: ["DatumHTTP", "TestSupport"]),
        .testTarget(
            name: "DatumKitTests", dependencies: ["DatumKit", "DatumJSON", "DatumYAML", "TestSupport"],
            exclude: ["Snapshots", "Fixtures"]),
        .testTarget(
            name: "DatumCLITests", dependencies: ["DatumCLI", "DatumKit", "DatumHTTP", "TestSupport"],
            exclude: ["Snapshots"]),
        .testTarget(
            name: "DatumSandboxTests", dependencies: ["DatumSandbox", "DatumKit", "DatumJSON", "TestSupport"]),
        .testTarget(
            name: "IntegrationTests", dependencies: ["DatumJSON", "DatumKit", "DatumCLI", "TestSupport"],
            exclude: ["Snapshots"]),
    ]
)
